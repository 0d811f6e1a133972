/**
 * OWASP's device cookies: after a good login the browser gets a signed cookie naming the
 * account. A login attempt that presents one for the same account is throttled on that
 * device's own allowance, not the account's, so someone hammering the account from
 * elsewhere cannot lock its owner out. The cookie proves only "this browser logged in
 * here before"; it grants no access by itself.
 */
import { generateCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import { decodeBase64Url, encodeBase64Url } from "../lib/encoding.ts";
import { timingSafeEqual } from "../lib/passwords.ts";

const DEVICE_COOKIE = "natter_device";
const MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

export interface Device {
  userId: string;
  /** Random per issue: each browser gets its own allowance. */
  nonce: string;
}

export interface DeviceCookies {
  /** The device cookie in `req`, if present and signed by us. */
  read(req: Request, secure: boolean): Promise<Device | null>;
  /** A Set-Cookie value marking this browser as one `userId` has logged in from. */
  issue(userId: string, secure: boolean): Promise<string>;
}

/** The cookie's name: `__Host-` on https, so no subdomain can plant or overwrite it. */
export function deviceCookieName(secure: boolean): string {
  return secure ? `__Host-${DEVICE_COOKIE}` : DEVICE_COOKIE;
}

/** Device cookies signed with HMAC-SHA256 under `secret` (at least 32 random bytes). */
export async function createDeviceCookies(
  secret: Uint8Array<ArrayBuffer>,
): Promise<DeviceCookies> {
  const key = await crypto.subtle.importKey(
    "raw",
    secret,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sign = async (payload: string) =>
    new Uint8Array(
      await crypto.subtle.sign(
        "HMAC",
        key,
        new TextEncoder().encode(payload),
      ),
    );
  return {
    async read(req, secure) {
      const header = req.headers.get("cookie");
      if (!header) return null;
      const name = deviceCookieName(secure);
      const value = parse(header, name)[name];
      const match = value?.match(
        /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/,
      );
      if (!match) return null;
      const [, id, nonce, signature] = match;
      const expected = await sign(`${id}.${nonce}`);
      let actual: Uint8Array;
      try {
        actual = decodeBase64Url(signature);
      } catch {
        return null;
      }
      if (!timingSafeEqual(actual, expected)) return null;
      return {
        userId: new TextDecoder().decode(decodeBase64Url(id)),
        nonce,
      };
    },
    async issue(userId, secure) {
      const id = encodeBase64Url(new TextEncoder().encode(userId));
      const nonce = encodeBase64Url(
        crypto.getRandomValues(new Uint8Array(16)),
      );
      const signature = encodeBase64Url(await sign(`${id}.${nonce}`));
      return generateCookie(
        deviceCookieName(secure),
        `${id}.${nonce}.${signature}`,
        {
          httpOnly: true,
          sameSite: "Strict",
          path: "/",
          secure,
          maxAge: MAX_AGE_SECONDS,
        },
      );
    },
  };
}
