/**
 * DNS rebinding defence. A page on evil.example whose name is re-pointed at 127.0.0.1 can
 * make a victim's browser talk to a Natter on their own machine as if it were same-origin;
 * only the `Host` header gives that away. So: with `PUBLIC_URL` set only its host is
 * served; without it, a server listening on loopback answers only loopback names.
 */
import type { MiddlewareHandler } from "hono";
import { DomainError } from "../../lib/errors.ts";
import { isLoopbackIp, parseIp } from "../ip.ts";

/** True for `localhost`, `*.localhost`, 127.x.x.x and `[::1]`, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
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
