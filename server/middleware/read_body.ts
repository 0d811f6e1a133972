/**
 * Reads the body of a form or JSON request into memory before the route runs: at most
 * `maxSize` bytes (413 beyond, whatever Content-Length said) and all of it within
 * `deadlineMs` (408 after). Without a deadline a client sending a byte now and then holds
 * its request, and everything the route holds, for as long as it likes; Hono's bodyLimit,
 * which this replaces, has none. Streaming uploads are not read here (`limitFor` says
 * null): they keep their own size limit and an idle timeout (server/attachment_upload.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { DomainError } from "../../lib/errors.ts";

/** A whole form or JSON body must arrive within this long after the headers. */
export const BODY_DEADLINE_MS = 10_000;

export interface ReadBodyOptions {
  /** The most bytes a request may send, or null to leave its body to the route. */
  limitFor(c: Context): number | null;
  deadlineMs?: number;
}

export function readBody(options: ReadBodyOptions): MiddlewareHandler {
  const deadlineMs = options.deadlineMs ?? BODY_DEADLINE_MS;
  return async (c, next) => {
    const body = c.req.raw.body;
    const maxSize = body ? options.limitFor(c) : null;
    if (!body || maxSize === null) return next();
    const declared = c.req.raw.headers.get("content-length");
    if (declared !== null && Number(declared) > maxSize) {
      throw tooLarge(maxSize);
    }
    const reader = body.getReader();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // A read waiting on the client ends now (done), and the body is released.
      reader.cancel().catch(() => {});
    }, deadlineMs);
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxSize) {
          reader.cancel().catch(() => {});
          throw tooLarge(maxSize);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof DomainError) throw error;
      // The client went away mid-body (or the deadline's cancel raced the read).
      if (!timedOut) {
        throw new DomainError(
          "bad_request",
          "body_unreadable",
          "The request body could not be read",
        );
      }
    } finally {
      clearTimeout(timer);
    }
    if (timedOut) {
      throw new DomainError(
        "timeout",
        "body_timeout",
        `The request body did not arrive within ${deadlineMs / 1000} s`,
      );
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return next();
  };
}

function tooLarge(maxSize: number): DomainError {
  return new DomainError(
    "too_large",
    "payload_too_large",
    `The request body is larger than ${Math.floor(maxSize / 1024)} KiB`,
  );
}
