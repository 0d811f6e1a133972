/**
 * DNS rebinding defence. A page on evil.example whose name is re-pointed at 127.0.0.1 can
 * make a victim's browser talk to a Natter on their own machine as if it were same-origin;
 * only the `Host` header gives that away. So: with `PUBLIC_URL` set only its host is
 * served; without it, a server listening on loopback answers only loopback names.
 */
import type { MiddlewareHandler } from "hono";
import { DomainError } from "../../lib/errors.ts";
import { isLoopbackIp, parseIp } from "../ip.ts";

/**
 * True for `localhost`, `*.localhost`, 127.x.x.x and `[::1]`, with or without a port, and
 * for a bare `::1` (how HOST names an IPv6 listen address).
 */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  // A bare IPv6 address has several colons and no port: stripping `:1` from `::1` would
  // leave `:`, and a server on HOST=::1 would lose the check below.
  const bareIpv6 = !lower.startsWith("[") && lower.split(":").length > 2;
  const withoutPort = bareIpv6 ? lower : lower.replace(/:\d+$/, "");
  const name = withoutPort.replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  return parseIp(name) !== null && isLoopbackIp(name);
}

/** The check for a server configured with `publicUrl` and listening on `listenHost`. */
export function hostCheck(
  options: { publicUrl?: string; listenHost: string },
): MiddlewareHandler {
  const publicHost = options.publicUrl
    ? new URL(options.publicUrl).host.toLowerCase()
    : null;
  const loopbackOnly = !publicHost && isLoopbackHost(options.listenHost);
  return async (c, next) => {
    if (publicHost || loopbackOnly) {
      // Deno.serve builds the URL from the Host header; in-process requests have no header.
      const host = new URL(c.req.url).host.toLowerCase();
      const allowed = publicHost ? host === publicHost : isLoopbackHost(host);
      if (!allowed) {
        throw new DomainError(
          "bad_request",
          "unknown_host",
          publicHost
            ? `This server only answers for ${publicHost} (PUBLIC_URL); the request was for another host`
            : "This server listens on loopback and only answers for localhost, 127.0.0.1 or [::1]; set PUBLIC_URL to serve another name",
        );
      }
    }
    await next();
  };
}
