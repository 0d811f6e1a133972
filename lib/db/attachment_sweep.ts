/**
 * The attachment sweep: removes uploads no message used within a day, and what a process
 * killed mid-upload left (a marker and chunks, never a record).
 */
import {
  type AttachmentRecord,
  deleteChunks,
  UNUSED_ATTACHMENT_MS,
  type UploadMarker,
} from "./attachments.ts";
import { keys } from "./keys.ts";
import { commit, commitWithRetry } from "./kv.ts";

/**
 * Removes uploads no message used within `UNUSED_ATTACHMENT_MS` and what crashed uploads
 * left; returns how many went. The record goes first (under the head's check, so a send
 * that claims it meanwhile wins), then its chunks, then the marker: a sweep cut short
 * anywhere is finished by the next one.
 */
export async function sweepAttachments(
  kv: Deno.Kv,
  now = new Date(),
): Promise<number> {
  let removed = 0;
  const cutoff = now.getTime() - UNUSED_ATTACHMENT_MS;
  for await (
    const entry of kv.list<UploadMarker>({ prefix: keys.attachmentUploads() })
  ) {
    const marker = entry.value;
    if (Date.parse(marker.createdAt) > cutoff) continue;
    const id = String(entry.key[1]);
    const cid = marker.conversationId;
    const used = await commitWithRetry<boolean>(async () => {
      const [head, record] = await kv.getMany<[unknown, AttachmentRecord]>([
        keys.conversationHead(cid),
        keys.attachment(cid, id),
      ]);
      if (record.value?.messageId) return { done: true };
      const op = kv.atomic().check(head, record);
      if (record.value) {
        op.delete(record.key).delete(
          keys.userAttachment(record.value.ownerId, cid, id),
        );
      }
      return { op, result: false };
    }, "Cannot sweep attachments: try again");
    if (!used) await deleteChunks(kv, cid, id);
    await commit(kv.atomic().check(entry).delete(entry.key));
    removed++;
  }
  return removed;
}
