/**
 * The download answer for an attachment: streamed from KV, with an ETag, byte ranges
 * (206) and headers that keep a browser from ever running what it holds. Only JPEG, PNG,
 * WebP and GIF are shown inline; everything else (SVG, HTML, PDF, archives) downloads.
 */
import { create as contentDisposition } from "content-disposition";
import type { AttachmentPart, AttachmentRecord, Db } from "../lib/db/db.ts";
import { INLINE_IMAGE_TYPES } from "../lib/images.ts";
import { headerValue } from "./http.ts";

/** A sandboxed, resource-less document: even if rendered, it can run and load nothing. */
export const ATTACHMENT_CSP = "sandbox; default-src 'none'";

/** The response to GET (or HEAD) of one attachment part. */
export function attachmentResponse(
  db: Db,
  req: Request,
  record: AttachmentRecord,
  part: AttachmentPart,
): Response {
  const thumb = part === "thumb" ? record.thumbnail : undefined;
  const size = thumb?.size ?? record.size;
  const type = thumb?.type ?? record.type;
  const inline = INLINE_IMAGE_TYPES.has(type);
  // Stored bytes never change: the id (and part) is a strong validator.
  const etag = `"${record.id}${part === "thumb" ? "-t" : ""}"`;
  const headers = new Headers({
    "content-type": inline ? type : "application/octet-stream",
    "x-content-type-options": "nosniff",
    "content-security-policy": ATTACHMENT_CSP,
    "cache-control": "private",
    "accept-ranges": "bytes",
    etag,
    // RFC 6266: an ASCII `filename` fallback and the exact name in `filename*`.
    "content-disposition": headerValue(
      contentDisposition(record.name, {
        type: inline ? "inline" : "attachment",
      }),
    ),
  });
  if (matchesEtag(req.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  const rangeHeader = req.headers.get("range");
  const ifRange = req.headers.get("if-range");
  const range = rangeHeader && (!ifRange || ifRange === etag)
    ? parseRange(rangeHeader, size)
    : null;
  if (range === "unsatisfiable") {
    headers.set("content-range", `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  headers.set("content-length", String(end - start + 1));
  if (range) headers.set("content-range", `bytes ${start}-${end}/${size}`);
  const body = req.method === "HEAD" || size === 0
    ? null
    : db.streamAttachment(record, part, { start, end });
  return new Response(body, { status: range ? 206 : 200, headers });
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.trim() === "*" ||
    header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * One `bytes=` range (a list of several is answered whole, as RFC 9110 allows), null
 * for a header we do not understand (answered whole too).
 */
function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
