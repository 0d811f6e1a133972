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
