/**
 * One membership or name change of a group, as ONE atomic commit checked against the
 * group's record and head (lib/db/groups.ts says what each change is): the new record, a
 * system message to the members after the change, and for those removed their rows,
 * positions and counters deleted in the same commit, so their list, events and history
 * lose the group at once. A group left empty is deleted with everything under it.
 */
import {
  addMessageToMembers,
  type ConversationRecord,
} from "./conversations.ts";
import { forgetGroupMember } from "./group_receipts.ts";
import { BUSY, groupNotFound, type GroupRecord } from "./groups.ts";
import { touchInboxes } from "./inbox.ts";
import { keys } from "./keys.ts";
import { commit, commitWithRetry } from "./kv.ts";
import type { ConversationHead, Message } from "./messages.ts";
import type { User } from "./users.ts";

const PURGE_BATCH = 500;

export type NameLookup = <K extends string>(
  ids: Record<K, string | undefined>,
) => Promise<Record<K, string | null>>;

export interface Change {
  /** The group after the change; null deletes it (its last member left). */
  group: GroupRecord | null;
  /** The system message saying what happened. */
  text: string;
  removed?: string[];
}

/**
 * Applies one membership or name change in one commit checked against the record and the
 * head: the new record, a system message to the members after the change, and (for those
 * removed) their rows, read position and unread count deleted, so their chat list, events
 * and history lose the group at once. `change` returns null when nothing changes.
 */
export async function changeGroup(
  kv: Deno.Kv,
  gid: string,
  actorId: string,
  change: (
    group: GroupRecord,
    names: NameLookup,
    seq: number,
  ) => Promise<Change | null>,
  now?: Date,
): Promise<GroupRecord | null> {
  const names: NameLookup = async (ids) => {
    const entries = Object.entries<string | undefined>(ids);
    const users = await kv.getMany<User[]>(
      entries.map(([, id]) => keys.user(id ?? "")),
    );
    return Object.fromEntries(
      entries.map((
        [k, id],
        i,
      ) => [k, id ? users[i].value?.username ?? null : null]),
    ) as Record<keyof typeof ids, string | null>;
  };
  let deleted = false;
  let removed: string[] = [];
  const result = await commitWithRetry<GroupRecord | null>(async () => {
    const [record, head] = await kv.getMany<
      [ConversationRecord, ConversationHead]
    >([keys.conversation(gid), keys.conversationHead(gid)]);
    const group = record.value?.kind === "group"
      ? record.value as GroupRecord
      : null;
    if (!group || !group.members.includes(actorId)) throw groupNotFound();
    const seq = (head.value?.seq ?? 0) + 1;
    const next = await change(group, names, seq);
    if (!next) return { done: group };
    const op = kv.atomic().check(record, head);
    for (const userId of next.removed ?? []) {
      op.delete(keys.userConversation(userId, gid))
        .delete(keys.userConversationRead(userId, gid))
        .delete(keys.userConversationUnread(userId, gid))
        .delete(keys.userConversationDelivered(userId, gid))
        .delete(keys.userConversationSeen(userId, gid));
    }
    // The removed hear of it through their inbox: their lists drop the group.
    touchInboxes(op, next.removed ?? []);
    removed = next.removed ?? [];
    if (!next.group) {
      deleted = true;
      op.delete(keys.conversation(gid)).delete(keys.group(gid));
      return { op, result: null };
    }
    const at = (now ?? new Date()).toISOString();
    const message = systemMessage(gid, seq, actorId, next.text, at);
    op.set(keys.conversation(gid), next.group)
      .set(keys.conversationHead(gid), { seq, lastMessageAt: at })
      .set(keys.message(gid, seq), message);
    addMessageToMembers(op, next.group, message);
    return { op, result: next.group };
  }, BUSY);
  // Without its record nobody can reach the rest, so it may go in later batches.
  if (deleted) await purgeConversation(kv, gid);
  // What the removed received and read goes too (their "read by" lines); not in the
  // change's commit, whose size must not depend on how much they read.
  else for (const userId of removed) await forgetGroupMember(kv, gid, userId);
  return result;
}

/** Deletes every key under `["conversations", id]`, in batches. */
export async function purgeConversation(
  kv: Deno.Kv,
  gid: string,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const op = kv.atomic();
    let n = 0;
    for await (
      const entry of kv.list({ prefix: keys.conversation(gid) }, {
        limit: PURGE_BATCH,
      })
    ) {
      op.delete(entry.key);
      n++;
    }
    if (n === 0) return deleted;
    await commit(op);
    deleted += n;
  }
}

/** A membership or name change as it stands in the history: from the actor, by the server. */
export function systemMessage(
  gid: string,
  seq: number,
  from: string,
  text: string,
  sentAt: string,
): Message {
  return {
    id: crypto.randomUUID(),
    seq,
    from,
    to: gid,
    conversation: gid,
    text,
    sentAt,
    system: true,
  };
}
