/**
 * Response headers every answer carries: a CSP that allows no inline script or style,
 * the referrer policy CSRF relies on, and HSTS once the request came over https.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { State } from "../state.ts";

/** HSTS for a year once the site is on https; browsers ignore it over plain http. */
export const HSTS = "max-age=31536000; includeSubDomains";

const baseHeaders = secureHeaders({
  // no-referrer would make Chromium send `Origin: null` on same-origin form posts.
  referrerPolicy: "strict-origin-when-cross-origin",
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  crossOriginEmbedderPolicy: false,
  // Set below, and only over https (behind a trusted proxy that says so, or PUBLIC_URL).
  strictTransportSecurity: false,
});

/** Security headers for every response; `state.secure` decides HSTS. */
export function securityHeaders(): MiddlewareHandler<
  { Variables: { state: State } }
> {
  return async (c, next) => {
    // A response that set its own, stricter policy (attachment downloads) keeps it.
    let own: string | null = null;
    await baseHeaders(c, async () => {
      await next();
      own = c.res.headers.get("content-security-policy");
    });
    if (own) c.res.headers.set("content-security-policy", own);
    if (c.get("state").secure) {
      c.res.headers.set("strict-transport-security", HSTS);
    }
  };
}
