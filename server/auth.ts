/**
 * Sessions as the Copenhagen Book describes them: a 256-bit random token in an HttpOnly
 * cookie, only its SHA-256 stored in KV, a new session on every login, deleted on logout.
 */
import { generateCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { Db, User } from "../lib/db/db.ts";
import { SESSION_MAX_AGE_MS } from "../lib/db/db.ts";
import { encodeBase64Url, sha256Hex } from "../lib/encoding.ts";

export const SESSION_COOKIE = "natter_session";

/** A fresh random session token (32 bytes, base64url). */
export function generateSessionToken(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The form of a token stored in KV; a leaked database yields no usable cookies. */
export function hashSessionToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/** The session token from the request's cookie, if any. */
export function readSessionToken(req: Request): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  const token = parse(header, SESSION_COOKIE)[SESSION_COOKIE];
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : undefined;
}

function cookieOptions(url: URL) {
  return {
    httpOnly: true,
    sameSite: "Lax" as const,
    path: "/",
    secure: url.protocol === "https:",
  };
}

/** Starts a new session for `user`; returns the Set-Cookie header value. */
export async function startSession(
  db: Db,
  user: Pick<User, "id" | "username">,
  url: URL,
): Promise<string> {
  const token = generateSessionToken();
  await db.createSession(await hashSessionToken(token), user);
  return generateCookie(SESSION_COOKIE, token, {
    ...cookieOptions(url),
    maxAge: Math.floor(SESSION_MAX_AGE_MS / 1000),
  });
}

/** The Set-Cookie header value that removes the session cookie. */
export function clearSessionCookie(url: URL): string {
  return generateCookie(SESSION_COOKIE, "", {
    ...cookieOptions(url),
    maxAge: 0,
  });
}
