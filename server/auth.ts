/**
 * Sessions as the Copenhagen Book describes them: a 256-bit random token in an HttpOnly
 * cookie, only its SHA-256 stored in KV, a new session on every login (the browser's
 * previous one is deleted: no session fixation), deleted on logout. On https the cookie
 * is `__Host-natter_session`: Secure, Path=/, no Domain, so no subdomain can set it.
 */
import { generateCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { Db, User } from "../lib/db/db.ts";
import { SESSION_MAX_AGE_MS } from "../lib/db/db.ts";
import { encodeBase64Url, sha256Hex } from "../lib/encoding.ts";

export const SESSION_COOKIE = "natter_session";

/** The session cookie's name for a plain-http or an https site. */
export function sessionCookieName(secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

/** A fresh random session token (32 bytes, base64url). */
export function generateSessionToken(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The form of a token stored in KV; a leaked database yields no usable cookies. */
export function hashSessionToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/** The session token from the request's cookie, if any (on https only the `__Host-` one). */
export function readSessionToken(
  req: Request,
  secure = false,
): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  const name = sessionCookieName(secure);
  const token = parse(header, name)[name];
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
}

function cookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: "Lax" as const, path: "/", secure };
}

/**
 * Starts a new session for `user`; returns the Set-Cookie header value. `replaces` is the
 * browser's current session, deleted first so a planted or stolen cookie dies at login.
 */
export async function startSession(
  db: Db,
  user: Pick<User, "id" | "username">,
  options: { secure: boolean; replaces?: string },
): Promise<string> {
  if (options.replaces) await db.deleteSession(options.replaces);
  const token = generateSessionToken();
  await db.createSession(await hashSessionToken(token), user);
  return generateCookie(sessionCookieName(options.secure), token, {
    ...cookieOptions(options.secure),
    maxAge: Math.floor(SESSION_MAX_AGE_MS / 1000),
  });
}

/** The Set-Cookie header value that removes the session cookie. */
export function clearSessionCookie(secure: boolean): string {
  return generateCookie(sessionCookieName(secure), "", {
    ...cookieOptions(secure),
    maxAge: 0,
  });
}
