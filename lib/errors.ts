/**
 * The one error type handlers throw. `lib/app.ts` turns it into a response in one place:
 * JSON `{ error: { code, message, details? } }` under /api, an error page elsewhere.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error with an HTTP status, a stable machine-readable code and a human message. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
}
