/**
 * Opaque cursors for message lists. A cursor names a position (the last seq the client
 * has); clients pass it back as `after` and must not rely on its shape.
 */
import { DomainError } from "./errors.ts";
import { encodeBase64Url } from "./encoding.ts";

const PREFIX = "m1.";

/** The cursor for "everything up to and including `seq`". */
export function encodeCursor(seq: number): string {
  return encodeBase64Url(new TextEncoder().encode(`${PREFIX}${seq}`));
}

/** The seq a cursor names; throws a 400 `bad_cursor` for anything we did not issue. */
export function decodeCursor(cursor: string, field = "after"): number {
  let text = "";
  try {
    const b64 = cursor.replaceAll("-", "+").replaceAll("_", "/");
    text = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
  } catch {
    // Falls through to the error below.
  }
  const match = /^m1\.(0|[1-9]\d{0,14})$/.exec(text);
  if (!match) {
    throw new DomainError(
      "bad_request",
      "bad_cursor",
      "The cursor is not valid",
      { field },
    );
  }
  return Number(match[1]);
}
