/**
 * Attachments in groups (issue 14 × issue 13): uploads and downloads under
 * `/api/groups/:id/attachments`, for current members only. Anyone else, a removed member
 * included, gets the same 404 as for an id that does not exist; a member who joined later
 * cannot fetch the files of messages from before they joined (they cannot see those).
 */
import type { AttachmentRecord } from "./db/db.ts";
import { attachmentNotFound, findAttachment } from "./attachments.ts";
import { requireGroup } from "./groups.ts";
import type { SessionUser, State } from "../server/state.ts";

/** The group's attachment `id`, if `me` may see it; else 404. */
export async function findGroupAttachment(
  state: State,
  me: SessionUser,
  gid: string,
  id: string,
): Promise<AttachmentRecord> {
  const group = await requireGroup(state, me, gid);
  const record = await findAttachment(state, gid, id);
  if (record.ownerId === me.id) return record;
  // Others' files are theirs to show once sent, and only in the history I can see.
  if (!record.messageId) throw attachmentNotFound();
  const mine = group.roster.find((m) => m.userId === me.id)!;
  if (record.createdAt >= mine.joinedAt) return record;
  const seq = await state.db.findMessageSeq(gid, record.messageId);
  if (seq === null || seq < mine.joinedSeq) throw attachmentNotFound();
  return record;
}
