/**
 * The OAuth `state`: a random value sent to the provider and stored in KV (single-use, 10
 * minutes) with the PKCE verifier and nonce. It is bound to the browser that started the
 * sign-in by an HttpOnly cookie whose SHA-256 is stored with it, so a callback URL carried
 * to another browser (login CSRF, a leaked link) is refused.
 */
import { generateCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { Db, OAuthState } from "../db/db.ts";
import { OAUTH_STATE_MAX_AGE_MS } from "../db/db.ts";
import { encodeBase64Url, sha256Hex } from "../encoding.ts";
import { DomainError } from "../errors.ts";
import type { AuthorizationRequest } from "./types.ts";

/** The cookie that binds a pending sign-in to the browser that started it. */
export const STATE_COOKIE = "natter_oauth";
/** Only the callback needs the cookie. */
const COOKIE_PATH = "/auth";

function randomToken(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

function cookieOptions(url: URL) {
  return {
    httpOnly: true,
    sameSite: "Lax" as const,
    path: COOKIE_PATH,
    secure: url.protocol === "https:",
  };
}

/** Starts a sign-in: stores a fresh state in KV; returns its secrets and the binding cookie. */
export async function createSignInState(
  db: Db,
  input: Pick<OAuthState, "provider" | "redirectUri" | "next" | "linkUserId">,
  url: URL,
): Promise<{ request: AuthorizationRequest; cookie: string }> {
  const binding = randomToken();
  const request: AuthorizationRequest = {
    state: randomToken(),
    codeVerifier: randomToken(),
    nonce: randomToken(),
    redirectUri: input.redirectUri,
  };
  await db.saveOAuthState(request.state, {
    provider: input.provider,
    bindingHash: await sha256Hex(binding),
    codeVerifier: request.codeVerifier,
    nonce: request.nonce,
    redirectUri: input.redirectUri,
    ...(input.next ? { next: input.next } : {}),
    ...(input.linkUserId ? { linkUserId: input.linkUserId } : {}),
    createdAt: new Date().toISOString(),
  });
  const cookie = generateCookie(STATE_COOKIE, binding, {
    ...cookieOptions(url),
    maxAge: Math.floor(OAUTH_STATE_MAX_AGE_MS / 1000),
  });
  return { request, cookie };
}

function invalidState(reason: string): DomainError {
  return new DomainError(
    "bad_request",
    "invalid_state",
    `Sign-in failed: ${reason}. Start again from the login page.`,
  );
}

/**
 * Consumes the callback's state: 400 unless it is known, unused, unexpired, for this
 * provider and bound to this browser's cookie. It is spent even when the checks fail.
 */
export async function consumeSignInState(
  db: Db,
  req: Request,
  provider: string,
  state: string | null,
): Promise<OAuthState> {
  if (!state) throw invalidState("the provider's answer has no state");
  if (state.length > 100) throw invalidState("the state is not ours");
  const record = await db.consumeOAuthState(state);
  if (!record) {
    throw invalidState("the sign-in is unknown, expired or already used");
  }
  const binding = parse(req.headers.get("cookie") ?? "", STATE_COOKIE)[
    STATE_COOKIE
  ];
  if (!binding || await sha256Hex(binding) !== record.bindingHash) {
    throw invalidState("it was started in another browser");
  }
  if (record.provider !== provider) {
    throw invalidState("it was started with another provider");
  }
  return record;
}

/** The Set-Cookie value that removes the state cookie once the sign-in is over. */
export function clearStateCookie(url: URL): string {
  return generateCookie(STATE_COOKIE, "", { ...cookieOptions(url), maxAge: 0 });
}
