/**
 * A group's messages (issue 13), with exactly the direct chat's semantics (lib/chat.ts):
 * pages after or before a cursor, long polls, exactly-once sends by `clientId`, read
 * positions. A member sees the history from the message that added them; a removed
 * member sees nothing, and a poll they hold answers 404 as soon as the removal lands.
 */
import type { GroupRecord, Message } from "./db/db.ts";
import {
  type ChatOpening,
  MAX_PAGE,
  type MessagePage,
  olderCursor,
  takeSend,
  waitPastSeq,
} from "./chat.ts";
import { encodeCursor } from "./cursor.ts";
import { noteReceived } from "./delivery.ts";
import { noteGroupRead } from "./group_receipts.ts";
import { DomainError } from "./errors.ts";
import { requireGroup } from "./groups.ts";
import { usernames } from "./inbox.ts";
import { type PublicMessage, toPublicMessage } from "./messages.ts";
import type { SessionUser, State } from "../server/state.ts";

/** The seq my history in this group starts at. */
function historyStart(group: GroupRecord, me: SessionUser): number {
  return group.roster.find((m) => m.userId === me.id)?.joinedSeq ?? 1;
}

/**
 * Stored messages in their public shape, senders by name, my own with their status; they
 * now count as received by me.
 */
export async function toPublicMessages(
  state: State,
  me: SessionUser,
  stored: Message[],
): Promise<PublicMessage[]> {
  const gid = stored[0]?.conversation;
  const [names, positions] = await Promise.all([
    usernames(state, stored.map((m) => m.from)),
    gid ? state.db.getStatusPositions(me.id, gid) : undefined,
  ]);
  noteReceived(state, me.id, stored);
  const people = [...names].map(([id, username]) => ({ id, username }));
  return stored.map((m) => toPublicMessage(m, people, me.id, positions));
}

/** A page of the group's messages, as `loadMessages` serves a direct chat's. */
export async function loadGroupMessages(
  state: State,
  me: SessionUser,
  gid: string,
  options: { afterSeq?: number; beforeSeq?: number; limit: number },
): Promise<MessagePage> {
  const group = await requireGroup(state, me, gid);
  const start = historyStart(group, me);
  const afterSeq = options.afterSeq === undefined
    ? undefined
    : Math.max(options.afterSeq, start - 1);
  const stored = (await state.db.listMessages(gid, { ...options, afterSeq }))
    .filter((m) => m.seq >= start);
  const lastSeq = stored.at(-1)?.seq ??
    (options.beforeSeq !== undefined
      ? Math.max(0, options.beforeSeq - 1)
      : afterSeq ?? start - 1);
  const firstSeq = stored[0]?.seq ??
    (afterSeq !== undefined ? afterSeq + 1 : start);
  return {
    messages: await toPublicMessages(state, me, stored),
    cursor: encodeCursor(lastSeq),
    older: olderCursor(firstSeq, start),
  };
}

/** Messages shown above the first unread one, for context (as in a direct chat). */
const UNREAD_CONTEXT = 5;

/**
 * The page a group's chat opens on, as `openConversation` opens a direct one: the newest
 * `pageSize` messages, or from just above the first unread one when more wait.
 */
export async function openGroup(
  state: State,
  me: SessionUser,
  gid: string,
  pageSize: number,
): Promise<ChatOpening> {
  const group = await requireGroup(state, me, gid);
  const start = historyStart(group, me);
  const [read, head, states] = await Promise.all([
    state.db.getReadPosition(me.id, gid),
    state.db.getConversationHead(gid),
    state.db.listMemberStates(me.id),
  ]);
  const headSeq = head?.seq ?? 0;
  const unread = states.get(gid)?.unread ?? 0;
  const fromUnread = unread > 0 && headSeq - read > pageSize - UNREAD_CONTEXT;
  const stored = (fromUnread
    ? await state.db.listMessages(gid, {
      afterSeq: Math.max(start - 1, read - UNREAD_CONTEXT),
      limit: MAX_PAGE,
    })
    : await state.db.listMessages(gid, { limit: pageSize }))
    .filter((m) => m.seq >= start);
  const first = stored.find((m) => m.seq > read && m.from !== me.id);
  const lastSeq = stored.at(-1)?.seq ?? 0;
  return {
    messages: await toPublicMessages(state, me, stored),
    cursor: encodeCursor(lastSeq),
    older: olderCursor(stored[0]?.seq ?? start, start),
    firstUnreadId: unread > 0 ? first?.id ?? null : null,
    unread,
    hasNewer: lastSeq < headSeq,
  };
}

/** A long poll on the group, as `pollMessages` holds one on a direct chat. */
export async function pollGroupMessages(
  state: State,
  me: SessionUser,
  gid: string,
  options: {
    afterSeq: number;
    limit: number;
    waitSeconds: number;
    signal?: AbortSignal;
  },
): Promise<MessagePage> {
  const { afterSeq, limit } = options;
  await requireGroup(state, me, gid);
  await waitPastSeq(state, me, gid, afterSeq, options);
  // Membership is checked again after the wait: a removal ends the poll with a 404.
  return await loadGroupMessages(state, me, gid, { afterSeq, limit });
}

/** Sends to the group as `me`, within the per-user rate limit. */
export async function sendGroupMessage(
  state: State,
  me: SessionUser,
  gid: string,
  input: { text: string; clientId?: string; attachments?: string[] },
): Promise<{ message: PublicMessage; created: boolean }> {
  await requireGroup(state, me, gid);
  await takeSend(state, me);
  const { attachments, ...rest } = input;
  const result = await state.db.sendGroupMessage({
    groupId: gid,
    fromId: me.id,
    ...rest,
    attachmentIds: attachments,
  });
  state.bus.publish(result.members, {
    kind: "inbox",
    conversationId: gid,
    seq: result.message.seq,
  });
  return {
    message: toPublicMessage(result.message, [me], me.id),
    created: result.created,
  };
}

/** Moves my read position in the group forward to the message `upTo`. */
export async function markGroupRead(
  state: State,
  me: SessionUser,
  gid: string,
  upTo: string,
): Promise<void> {
  const group = await requireGroup(state, me, gid);
  const seq = await state.db.findMessageSeq(gid, upTo);
  if (seq === null || seq < historyStart(group, me)) {
    throw new DomainError(
      "invalid",
      "unknown_message",
      "No message with that id in this conversation",
      { field: "upTo" },
    );
  }
  await state.db.markRead(me.id, gid, seq);
  state.bus.publish([me.id]);
  await noteGroupRead(state, me, gid, seq);
}
