/**
 * The one place where a domain error becomes an HTTP status. Everything under lib/ throws
 * `DomainError` with a kind; routes and middleware throw the same type.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type ErrorKind } from "../lib/errors.ts";

const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media_type: 415,
  invalid: 422,
  rate_limited: 429,
  internal: 500,
  upstream: 502,
  busy: 503,
};

/** The HTTP status of a domain error's kind. */
export function statusOf(error: DomainError): ContentfulStatusCode {
  return STATUS[error.kind];
}

/** Any thrown value as a domain error; unknown errors become a generic 500 (logged by the caller). */
export function asDomainError(error: unknown): DomainError {
  return error instanceof DomainError ? error : new DomainError(
    "internal",
    "internal_error",
    "Something went wrong on our side",
  );
}

/** Seconds a 429 asks the client to wait; every 429 carries one, HTML and JSON alike. */
export function retryAfterOf(error: DomainError): number | undefined {
  if (error.kind !== "rate_limited") return undefined;
  const details = error.details as { retryAfter?: unknown } | undefined;
  const seconds = Number(details?.retryAfter);
  // A 429 without a hint would invite an immediate retry: say one second at least.
  return Number.isFinite(seconds) && seconds >= 1 ? Math.ceil(seconds) : 1;
}

/** Headers a domain error's response must carry (Retry-After on 429). */
export function errorHeaders(error: DomainError): Record<string, string> {
  const retry = retryAfterOf(error);
  return retry === undefined ? {} : { "retry-after": String(retry) };
}
