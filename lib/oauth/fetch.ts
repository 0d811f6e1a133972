/**
 * Talking to a provider's endpoints with arctic, and turning what can go wrong into the
 * statuses the issue asks for: 502 when the provider cannot be reached or fails, 400 when
 * it refuses the request (a bad or reused code, a wrong verifier).
 */
import {
  ArcticFetchError,
  type OAuth2Client,
  OAuth2RequestError,
  type OAuth2Tokens,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from "arctic";
import { DomainError } from "../errors.ts";

/** Provider calls give up after this long, so a hung provider cannot hold requests. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** The 502 for a provider that cannot be reached or answers with a server error. */
export function unreachable(label: string): DomainError {
  return new DomainError(
    "upstream",
    "provider_unreachable",
    `Sign-in failed: ${label} could not be reached. Try again later.`,
  );
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(label)), PROVIDER_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Exchanges an authorization code (with its PKCE verifier) for tokens. */
export async function exchangeCode(
  client: OAuth2Client,
  options: {
    tokenEndpoint: string;
    code: string;
    codeVerifier: string;
    label: string;
  },
): Promise<OAuth2Tokens> {
  const { label } = options;
  let tokens: OAuth2Tokens;
  try {
    tokens = await withTimeout(
      client.validateAuthorizationCode(
        options.tokenEndpoint,
        options.code,
        options.codeVerifier,
      ),
      label,
    );
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof OAuth2RequestError) {
      throw refused(label, error.code);
    }
    if (
      (error instanceof UnexpectedResponseError ||
        error instanceof UnexpectedErrorResponseBodyError) &&
      error.status < 500
    ) {
      throw refused(label, `HTTP ${error.status}`);
    }
    if (
      error instanceof ArcticFetchError ||
      error instanceof UnexpectedResponseError ||
      error instanceof UnexpectedErrorResponseBodyError
    ) {
      throw unreachable(label);
    }
    throw error;
  }
  // GitHub reports token errors with status 200 and an `error` field.
  const data = tokens.data as { error?: unknown; access_token?: unknown };
  if (typeof data.error === "string") throw refused(label, data.error);
  if (typeof data.access_token !== "string") {
    throw refused(label, "no access token");
  }
  return tokens;
}

function refused(label: string, reason: string): DomainError {
  return new DomainError(
    "bad_request",
    "code_rejected",
    `Sign-in failed: ${label} did not accept the sign-in (${reason}). Start again from the login page.`,
  );
}

/** GETs JSON from a provider; 502 when it cannot be reached or does not answer 200 JSON. */
export async function fetchProviderJson(
  url: string,
  options: { label: string; headers?: HeadersInit },
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: options.headers,
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch {
    throw unreachable(options.label);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw unreachable(options.label);
  }
  try {
    return await res.json();
  } catch {
    throw unreachable(options.label);
  }
}
