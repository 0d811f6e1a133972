/**
 * Domain errors. Code below the HTTP edge (lib/) says *what* went wrong with a kind, a
 * stable machine-readable code and a human message; `server/errors.ts` alone decides which
 * HTTP status each kind becomes, so no module under lib/ knows about HTTP.
 */

/** What went wrong, in domain terms. `server/errors.ts` maps each kind to one status. */
export type ErrorKind =
  | "bad_request" // 400: the request cannot be read at all (malformed body or form)
  | "unauthenticated" // 401
  | "forbidden" // 403: authenticated, but not allowed
  | "not_found" // 404
  | "method_not_allowed" // 405
  | "timeout" // 408: the request body did not arrive in time
  | "conflict" // 409: clashes with what is stored (a taken name)
  | "gone" // 410: a cursor or link that has expired
  | "too_large" // 413
  | "unsupported_media_type" // 415
  | "invalid" // 422: well-formed but a field is wrong
  | "rate_limited" // 429: details carry `retryAfter` (seconds)
  | "internal" // 500
  | "upstream" // 502: a provider we depend on failed
  | "busy"; // 503: contention that outlasted our retries

/** An error with a kind, a stable code (`username_taken`) and a message a person can act on. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
