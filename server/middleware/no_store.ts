/**
 * `Cache-Control: no-store` on every `/api` answer and on every answer to a signed-in
 * request that has not chosen its own caching: a private page must not be kept by the
 * browser or a proxy, so after logging out, Back shows nothing from the session.
 */
import type { MiddlewareHandler } from "hono";
import type { State } from "../state.ts";

/** Register after the state is set and before the routes. */
export function noStore(): MiddlewareHandler<{ Variables: { state: State } }> {
  return async (c, next) => {
    await next();
    const path = c.req.path;
    const api = path === "/api" || path.startsWith("/api/");
    if (api || c.get("state")?.user) {
      // Attachment downloads choose `private` (never shared caches, revalidated by ETag).
      const own = c.res.headers.get("cache-control");
      if (own === "private") return;
      if (api || !own) {
        c.res.headers.set("cache-control", "no-store");
      }
    }
  };
}
