/**
 * Upload and download use cases for attachments, shared by the JSON API and the chat
 * page's no-JS form. The type always comes from the bytes (file-type's magic numbers),
 * never from the client's claim or the file name.
 */
import { fileTypeFromBuffer } from "file-type";
import type { AttachmentRecord } from "./db/db.ts";
import { DomainError } from "./errors.ts";
import { INLINE_IMAGE_TYPES, processImage } from "./images.ts";
import type { SessionUser, State } from "../server/state.ts";

/** file-type reads at most this many bytes from the start of a file. */
const SNIFF_BYTES = 4100;
/** Longest stored file name, in characters. */
const MAX_NAME_LENGTH = 200;

/** The 413 for a file over `MAX_UPLOAD_BYTES`. */
export function uploadTooLarge(maxBytes: number): DomainError {
  return new DomainError(
    "too_large",
    "payload_too_large",
    `The file is larger than ${formatMiB(maxBytes)}`,
    { maxBytes },
  );
}

function quotaExceeded(quota: number): DomainError {
  return new DomainError(
    "too_large",
    "quota_exceeded",
    `Your uploads would take more than your ${formatMiB(quota)} of storage`,
    { quotaBytes: quota },
  );
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024 * 10) / 10} MiB`;
}

/** Refuses an upload before reading it when the sender's stored bytes already fill the quota. */
export async function checkQuota(
  state: State,
  me: SessionUser,
  incoming = 0,
): Promise<number> {
  const used = await state.db.userAttachmentBytes(me.id);
  if (used + incoming > state.config.userQuotaBytes) {
    throw quotaExceeded(state.config.userQuotaBytes);
  }
  return used;
}

/**
 * Stores one uploaded file in conversation `cid`: streamed to KV in chunks, except photos,
 * which are held (at most `MAX_UPLOAD_BYTES`) to strip metadata and make a thumbnail.
 * Any failure, a dropped connection included, removes what was written.
 */
export async function storeUpload(
  state: State,
  me: SessionUser,
  cid: string,
  file: { filename: string; bytes: AsyncIterable<Uint8Array> },
): Promise<AttachmentRecord> {
  const { maxUploadBytes, userQuotaBytes } = state.config;
  if (!(await state.limits.uploads.take(me.id))) {
    throw new DomainError(
      "rate_limited",
      "rate_limited",
      "You are uploading files too fast",
      { retryAfter: await state.limits.uploads.retryAfter(me.id) },
    );
  }
  const used = await checkQuota(state, me);
  const writer = state.db.attachmentWriter(cid, me.id);
  await writer.begin();
  try {
    let head: Uint8Array[] = [];
    let type: string | undefined;
    let image = null as Uint8Array[] | null;
    let total = 0;
    const decide = async () => {
      const start = concat(head);
      type = (await fileTypeFromBuffer(start))?.mime ??
        "application/octet-stream";
      if (INLINE_IMAGE_TYPES.has(type)) image = [start];
      else await writer.write(start);
      head = [];
    };
    for await (const chunk of file.bytes) {
      total += chunk.length;
      if (total > maxUploadBytes) throw uploadTooLarge(maxUploadBytes);
      if (used + total > userQuotaBytes) throw quotaExceeded(userQuotaBytes);
      if (type === undefined) {
        head.push(chunk);
        if (total >= SNIFF_BYTES) await decide();
      } else if (image) image.push(chunk);
      else await writer.write(chunk);
    }
    if (total === 0) {
      throw new DomainError("invalid", "empty_file", "The file is empty");
    }
    if (type === undefined) await decide();
    let meta: Parameters<typeof writer.complete>[0] = {
      name: cleanFileName(file.filename),
      type: type!,
    };
    if (image) {
      const processed = await processImage(concat(image), type!);
      await writer.write(processed.bytes);
      meta = {
        ...meta,
        ...(processed.width
          ? { width: processed.width, height: processed.height }
          : {}),
      };
      if (processed.thumbnail) {
        const { bytes, ...thumbnail } = processed.thumbnail;
        await writer.startPart("thumb");
        await writer.write(bytes);
        meta.thumbnail = thumbnail;
      }
    }
    return await writer.complete(meta);
  } catch (error) {
    await writer.abort().catch(() => {});
    throw error;
  }
}

/**
 * A file name safe to store and show: no path, no control or bidi-override characters,
 * at most 200 characters; "file" when nothing is left.
 */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
  const name = Array.from(cleaned).slice(0, MAX_NAME_LENGTH).join("");
  return name === "" || name === "." || name === ".." ? "file" : name;
}

/** An attachment of conversation `cid`; 404 when it does not exist. */
export async function findAttachment(
  state: State,
  cid: string,
  id: string,
): Promise<AttachmentRecord> {
  const record = /^[0-9a-f-]{36}$/.test(id)
    ? await state.db.getAttachment(cid, id)
    : null;
  if (!record) throw attachmentNotFound();
  return record;
}

/** The one answer for every attachment a requester may not see, or that does not exist. */
export function attachmentNotFound(): DomainError {
  return new DomainError(
    "not_found",
    "not_found",
    "No such attachment",
  );
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
