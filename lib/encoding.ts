/**
 * Byte/string encodings. Node's `Buffer` (built into Deno as `node:buffer`) does the work:
 * std/encoding is on JSR, which this project cannot reach, and Buffer runs on Deno Deploy.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";

/** Standard base64 of bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("base64");
}

/** Bytes of a standard base64 string. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** URL-safe base64 without padding (RFC 4648 §5). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("base64url");
}

/** Bytes of URL-safe base64 (padding optional); throws on malformed input. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const standard = text.replaceAll("-", "+").replaceAll("_", "/");
  return decodeBase64(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
}

/** Lowercase hex of SHA-256 over a UTF-8 string. */
export function sha256Hex(text: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(text).digest("hex"));
}
