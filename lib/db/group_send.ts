/**
 * Sending to a group (issue 13): ONE atomic commit checked against the head, the group
 * record (membership), the sender and the client id, whatever the group's size (see
 * lib/db/groups.ts for the mutation budget at 256 members).
 */
import {
  markAttachmentsUsed,
  readClaimableAttachments,
  toMessageAttachments,
} from "./attachments.ts";
import {
  addMessageToMembers,
  type ConversationRecord,
} from "./conversations.ts";
import { groupNotFound, type GroupRecord } from "./groups.ts";
import { keys } from "./keys.ts";
import { commitWithRetry } from "./kv.ts";
import type { ConversationHead, Message } from "./messages.ts";
import type { User } from "./users.ts";

/** Sends to a group as one of its members; a repeated `clientId` returns the stored message. */
export async function sendGroupMessage(
  kv: Deno.Kv,
  input: {
    groupId: string;
    fromId: string;
    text: string;
    clientId?: string;
    /** Ids of the sender's unused uploads in this group (at most 10). */
    attachmentIds?: string[];
    now?: Date;
  },
): Promise<{ message: Message; created: boolean; members: string[] }> {
  const gid = input.groupId;
  const headKey = keys.conversationHead(gid);
  const clientKey = input.clientId
    ? keys.clientMessage(gid, input.fromId, input.clientId)
    : null;
  return await commitWithRetry<
    { message: Message; created: boolean; members: string[] }
  >(
    async () => {
      const [head, client, sender, record] = await kv.getMany<
        [ConversationHead, number, User, ConversationRecord]
      >([
        headKey,
        clientKey ?? headKey,
        keys.user(input.fromId),
        keys.conversation(gid),
      ]);
      const group = record.value?.kind === "group"
        ? record.value as GroupRecord
        : null;
      if (!sender.value || !group || !group.members.includes(input.fromId)) {
        throw groupNotFound();
      }
      if (clientKey && client.value) {
        const stored = await kv.get<Message>(keys.message(gid, client.value));
        if (stored.value) {
          return {
            done: {
              message: stored.value,
              created: false,
              members: group.members,
            },
          };
        }
      }
      const claimed = input.attachmentIds?.length
        ? await readClaimableAttachments(
          kv,
          gid,
          input.fromId,
          input.attachmentIds,
        )
        : [];
      const seq = (head.value?.seq ?? 0) + 1;
      const sentAt = (input.now ?? new Date()).toISOString();
      const message: Message = {
        id: crypto.randomUUID(),
        seq,
        from: input.fromId,
        to: gid,
        conversation: gid,
        text: input.text,
        sentAt,
        ...(input.clientId ? { clientId: input.clientId } : {}),
        ...(claimed.length
          ? { attachments: toMessageAttachments(claimed) }
          : {}),
      };
      // The record check is the membership check: a member removed meanwhile cannot send.
      const op = kv.atomic()
        .check(head, sender, record)
        .set(headKey, { seq, lastMessageAt: sentAt } satisfies ConversationHead)
        .set(keys.message(gid, seq), message)
        .sum(keys.sentCount(input.fromId), 1n);
      addMessageToMembers(op, group, message);
      // No check per attachment: every claim and the sweep hold the head's check.
      markAttachmentsUsed(op, claimed, message.id);
      if (clientKey) {
        op.check({ key: clientKey, versionstamp: null }).set(clientKey, seq);
      }
      return {
        op,
        result: { message, created: true, members: group.members },
      };
    },
    "Cannot send message: the group is too busy, try again",
  );
}
