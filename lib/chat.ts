/**
 * Chat use cases shared by the chat page, its no-JS form and the JSON API, so all three
 * apply the same authorization, limits and shapes.
 */
import { conversationId, type User } from "./db/db.ts";
import { encodeCursor } from "./cursor.ts";
import { noteReceived } from "./delivery.ts";
import { DomainError } from "./errors.ts";
import { type PublicMessage, toPublicMessage } from "./messages.ts";
import { USERNAME_PATTERN } from "./schemas.ts";
import { receiptsBetween } from "./settings.ts";
import type { SessionUser, State } from "../server/state.ts";

/** The chat partner named in the URL; 404 when unknown (or oneself: no self-chats). */
export async function findPeer(state: State, username: string): Promise<User> {
  // Only a name that could have been registered is looked up: the index lowercases, and
  // "\u212A" (Kelvin sign) lowercases to "k", which would alias another account.
  if (!USERNAME_PATTERN.test(username)) throw peerNotFound(username);
  let peer = state.users.get(username) ?? null;
  if (!peer) {
    peer = await state.db.getUserByName(username);
    if (peer) state.users.set(peer);
  }
  if (!peer || peer.id === state.user?.id) throw peerNotFound(username);
  return peer;
}

function peerNotFound(username: string): DomainError {
  return new DomainError(
    "not_found",
    "user_not_found",
    `No user named "${username}"`,
  );
}

/** One page of a conversation: its messages, oldest first, and where to go next. */
export interface MessagePage {
  messages: PublicMessage[];
  /** Pass as `after` for what follows this page (poll from here). */
  cursor: string;
  /** Pass as `before` for the page before this one; null when this page starts at seq 1. */
  older: string | null;
}

/** The `older` cursor of a page whose first message has seq `firstSeq` (history from `fromSeq`). */
export function olderCursor(firstSeq: number, fromSeq = 1): string | null {
  return firstSeq > fromSeq ? encodeCursor(firstSeq) : null;
}

/**
 * Messages between `me` and `peer`, oldest first: after `afterSeq`, before `beforeSeq`, or
 * the newest ones; with the cursor to poll from and the one to page back with.
 */
export async function loadMessages(
  state: State,
  me: SessionUser,
  peer: User,
  options: { afterSeq?: number; beforeSeq?: number; limit: number },
): Promise<MessagePage> {
  const cid = conversationId(me.id, peer.id);
  const [stored, positions] = await Promise.all([
    state.db.listMessages(cid, options),
    state.db.getStatusPositions(me.id, cid),
  ]);
  noteReceived(state, me.id, stored);
  const lastSeq = stored.at(-1)?.seq ??
    (options.beforeSeq !== undefined
      ? Math.max(0, options.beforeSeq - 1)
      : options.afterSeq ?? 0);
  // An empty page after N still has N messages before it; an empty older page has none.
  const firstSeq = stored[0]?.seq ??
    (options.afterSeq !== undefined ? options.afterSeq + 1 : 1);
  return {
    messages: stored.map((m) =>
      toPublicMessage(m, [me, peer], me.id, positions)
    ),
    cursor: encodeCursor(lastSeq),
    older: olderCursor(firstSeq),
  };
}

/** Messages shown above the first unread one, for context. */
const UNREAD_CONTEXT = 5;

/** How a chat opens: the page to show, and where the unread part starts. */
export interface ChatOpening extends MessagePage {
  /** The first message after my read position that is not mine; null when all is read. */
  firstUnreadId: string | null;
  /** The others' messages after my read position. */
  unread: number;
  /** True when newer messages exist beyond this page (the island fetches them). */
  hasNewer: boolean;
}

/**
 * The page a chat opens on: the newest `pageSize` messages, or, when more unread messages
 * wait than fit there, a page starting just above the first unread one.
 */
export async function openConversation(
  state: State,
  me: SessionUser,
  peer: User,
  pageSize: number,
): Promise<ChatOpening> {
  const cid = conversationId(me.id, peer.id);
  const [read, head, states, positions] = await Promise.all([
    state.db.getReadPosition(me.id, cid),
    state.db.getConversationHead(cid),
    state.db.listMemberStates(me.id),
    state.db.getStatusPositions(me.id, cid),
  ]);
  const headSeq = head?.seq ?? 0;
  const unread = states.get(cid)?.unread ?? 0;
  const fromUnread = unread > 0 && headSeq - read > pageSize - UNREAD_CONTEXT;
  const stored = fromUnread
    ? await state.db.listMessages(cid, {
      afterSeq: Math.max(0, read - UNREAD_CONTEXT),
      limit: MAX_PAGE,
    })
    : await state.db.listMessages(cid, { limit: pageSize });
  noteReceived(state, me.id, stored);
  const first = stored.find((m) => m.seq > read && m.from !== me.id);
  const lastSeq = stored.at(-1)?.seq ?? 0;
  return {
    messages: stored.map((m) =>
      toPublicMessage(m, [me, peer], me.id, positions)
    ),
    cursor: encodeCursor(lastSeq),
    older: olderCursor(stored[0]?.seq ?? 1),
    firstUnreadId: unread > 0 ? first?.id ?? null : null,
    unread,
    hasNewer: lastSeq < headSeq,
  };
}

/** The largest page the API and the chat page serve. */
export const MAX_PAGE = 100;

export { pollMessages, waitPastSeq } from "./chat_poll.ts";

/** Takes one send from the user's rate limit (shared across processes), or throws 429. */
export async function takeSend(state: State, me: SessionUser): Promise<void> {
  if (!(await state.limits.sends.take(me.id))) {
    throw new DomainError(
      "rate_limited",
      "rate_limited",
      "You are sending messages too fast",
      { retryAfter: await state.limits.sends.retryAfter(me.id) },
    );
  }
}

/** Sends a message from `me` to `peer`, within the per-user rate limit. */
export async function sendMessage(
  state: State,
  me: SessionUser,
  peer: User,
  input: { text: string; clientId?: string; attachments?: string[] },
): Promise<{ message: PublicMessage; created: boolean }> {
  await takeSend(state, me);
  const { attachments, ...rest } = input;
  const result = await state.db.sendMessage({
    from: me,
    to: peer,
    ...rest,
    attachmentIds: attachments,
  });
  state.bus.publish([me.id, peer.id], {
    kind: "inbox",
    conversationId: conversationId(me.id, peer.id),
    seq: result.message.seq,
  });
  return {
    message: toPublicMessage(result.message, [me, peer], me.id),
    created: result.created,
  };
}

/**
 * Moves my read position in the conversation with `peer` forward to the message `upTo`
 * (never back); an id that is not in the conversation is a 422.
 */
export async function markRead(
  state: State,
  me: SessionUser,
  peer: User,
  upTo: string,
): Promise<void> {
  const cid = conversationId(me.id, peer.id);
  const seq = await state.db.findMessageSeq(cid, upTo);
  if (seq === null) {
    throw new DomainError(
      "invalid",
      "unknown_message",
      "No message with that id in this conversation",
      { field: "upTo" },
    );
  }
  const receipts = await receiptsBetween(state, me.id, peer.id);
  const touched = await state.db.markRead(me.id, cid, seq, {
    messageId: upTo,
    owners: [{ ownerId: peer.id, receipts }],
  });
  state.bus.publish([me.id, ...touched]);
}

/** The signed-in user, or a 401 (the middleware normally redirects before this). */
export function requireUser(state: State): SessionUser {
  if (!state.user) {
    throw new DomainError(
      "unauthenticated",
      "unauthorized",
      "You must be logged in",
    );
  }
  return state.user;
}
