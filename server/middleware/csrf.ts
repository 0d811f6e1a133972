/**
 * CSRF defence by origin: an unsafe request whose `Origin` is another site (or `null`), or
 * that the browser marks `Sec-Fetch-Site: cross-site`, is refused. Same-origin forms and
 * fetches need no token. Hono's own csrf() only checks form content types; we must also
 * refuse cross-site JSON, so this is ours.
 */
import type { MiddlewareHandler } from "hono";
import { DomainError } from "../../lib/errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Origins that may post: the public URL when configured, else the request's own host. */
export function csrf(options: { publicUrl?: string } = {}): MiddlewareHandler {
  const publicOrigin = options.publicUrl
    ? new URL(options.publicUrl).origin
    : null;
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const fetchSite = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      const host = c.req.header("host");
      if (fetchSite === "cross-site") {
        throw new DomainError(
          "forbidden",
          "cross_origin",
          "Cross-site requests are not allowed",
        );
      }
      if (origin !== undefined) {
        const allowed = publicOrigin
          ? origin === publicOrigin
          : origin !== "null" && URL.canParse(origin) &&
            new URL(origin).host === host;
        if (!allowed) {
          throw new DomainError(
            "forbidden",
            "cross_origin",
            "Cross-origin requests are not allowed",
          );
        }
      }
    }
    await next();
  };
}
