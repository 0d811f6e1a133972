/**
 * Attachment records and their bytes (written by attachment_writer.ts, swept by
 * attachment_sweep.ts). KV caps a value at 64 KiB and a commit at 800 KiB,
 * so bytes go in 60 KiB chunks, eight to a commit. An upload is invisible until its record
 * is committed after the last chunk; the `attachment_uploads` marker written before the
 * first chunk lets the sweep find what a dead process or an unused upload left behind.
 */
import { DomainError } from "../errors.ts";
import { keys } from "./keys.ts";
import { commit } from "./kv.ts";

/** Bytes per stored chunk: under KV's 64 KiB value limit with room for the key. */
export const CHUNK_BYTES = 60 * 1024;
/** Chunks per commit: 480 KiB, well under KV's 800 KiB per atomic operation. */
export const CHUNKS_PER_COMMIT = 8;
/** An upload no message used within this long is removed with its bytes. */
export const UNUSED_ATTACHMENT_MS = 24 * 60 * 60 * 1000;

export type AttachmentPart = "file" | "thumb";

/** A stored attachment. */
export interface AttachmentRecord {
  id: string;
  conversationId: string;
  ownerId: string;
  name: string;
  /** From the bytes (magic numbers), never from the client. */
  type: string;
  size: number;
  width?: number;
  height?: number;
  thumbnail?: { type: string; size: number; width: number; height: number };
  createdAt: string;
  /** Set by the send that uses it; an attachment is used at most once. */
  messageId?: string;
}

/** What a message keeps of each attachment, so a page needs no extra reads. */
export type MessageAttachment =
  & Pick<
    AttachmentRecord,
    "id" | "name" | "type" | "size" | "width" | "height"
  >
  & { thumbnail?: boolean };

/** Written before an upload's first chunk; the sweep's list of what to check. */
export interface UploadMarker {
  conversationId: string;
  ownerId: string;
  createdAt: string;
}

/** The attachment, or null when it does not exist (or is not complete yet). */
export async function getAttachment(
  kv: Deno.Kv,
  cid: string,
  id: string,
): Promise<AttachmentRecord | null> {
  return (await kv.get<AttachmentRecord>(keys.attachment(cid, id))).value;
}

/**
 * Streams bytes `start`..`end` (inclusive) of an attachment part, reading a few chunks at
 * a time as the client takes them, so a large download never sits in memory.
 */
export function streamAttachment(
  kv: Deno.Kv,
  record: AttachmentRecord,
  part: AttachmentPart,
  range: { start: number; end: number },
): ReadableStream<Uint8Array> {
  let index = Math.floor(range.start / CHUNK_BYTES);
  const last = Math.floor(range.end / CHUNK_BYTES);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index > last) return controller.close();
      const batch = Array.from(
        { length: Math.min(4, last - index + 1) },
        (_, i) =>
          keys.attachmentChunk(
            record.conversationId,
            record.id,
            part,
            index + i,
          ),
      );
      const entries = await kv.getMany<Uint8Array[]>(batch);
      for (const entry of entries) {
        if (!entry.value) {
          return controller.error(new Error("Attachment chunk missing"));
        }
        const chunkStart = index * CHUNK_BYTES;
        const from = Math.max(0, range.start - chunkStart);
        const to = Math.min(entry.value.length, range.end - chunkStart + 1);
        controller.enqueue(entry.value.subarray(from, to));
        index++;
      }
    },
  }, { highWaterMark: 1 });
}

/**
 * Checks that `ids` are unused attachments of `senderId` in conversation `cid` and returns
 * them; the caller's commit marks them used (`markAttachmentsUsed`) under the conversation
 * head's check, which every send and the sweep hold, so no two sends claim one upload.
 */
export async function readClaimableAttachments(
  kv: Deno.Kv,
  cid: string,
  senderId: string,
  ids: string[],
): Promise<AttachmentRecord[]> {
  if (new Set(ids).size !== ids.length) throw attachmentsInvalid(ids[0]);
  const records: AttachmentRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const entries = await kv.getMany<AttachmentRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.attachment(cid, id)),
    );
    entries.forEach((entry, j) => {
      const record = entry.value;
      if (!record || record.ownerId !== senderId || record.messageId) {
        throw attachmentsInvalid(ids[i + j]);
      }
      records.push(record);
    });
  }
  return records;
}

function attachmentsInvalid(id: string | undefined): DomainError {
  return new DomainError(
    "invalid",
    "invalid_attachments",
    "Each attachment must be your own unused upload in this conversation",
    { attachment: id },
  );
}

/** What a message keeps of each attachment. */
export function toMessageAttachments(
  records: AttachmentRecord[],
): MessageAttachment[] {
  return records.map((record) => ({
    id: record.id,
    name: record.name,
    type: record.type,
    size: record.size,
    ...(record.width ? { width: record.width, height: record.height } : {}),
    ...(record.thumbnail ? { thumbnail: true } : {}),
  }));
}

/** Adds to a send's commit: each attachment now belongs to `messageId`. */
export function markAttachmentsUsed(
  op: Deno.AtomicOperation,
  records: AttachmentRecord[],
  messageId: string,
): void {
  for (const record of records) {
    op.set(keys.attachment(record.conversationId, record.id), {
      ...record,
      messageId,
    });
    op.delete(keys.attachmentUpload(record.id));
  }
}

/** Bytes a user stores in attachments (files and thumbnails), for the quota. */
export async function userAttachmentBytes(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  let total = 0;
  for await (
    const entry of kv.list<number>({ prefix: keys.userAttachments(userId) })
  ) total += entry.value;
  return total;
}

/** Bytes stored per user id, for `stats`. */
export async function attachmentBytesByUser(
  kv: Deno.Kv,
): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for await (
    const entry of kv.list<number>({ prefix: keys.allUserAttachments() })
  ) {
    const userId = String(entry.key[1]);
    totals.set(userId, (totals.get(userId) ?? 0) + entry.value);
  }
  return totals;
}

/** Deletes an attachment's chunks in batches of 100 (an abort, the sweep). */
export async function deleteChunks(
  kv: Deno.Kv,
  cid: string,
  id: string,
): Promise<void> {
  let op = kv.atomic();
  let count = 0;
  for await (
    const entry of kv.list({ prefix: keys.attachmentChunks(cid, id) }, {
      batchSize: 100,
    })
  ) {
    op.delete(entry.key);
    if (++count % 100 === 0) {
      await commit(op);
      op = kv.atomic();
    }
  }
  if (count % 100 !== 0) await commit(op);
}
