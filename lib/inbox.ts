/**
 * The live inbox as the API shows it: a user's events after an opaque cursor (a KV
 * versionstamp), each with the conversation's list entry, and the held wait for the next
 * ones. Wake-ups come from the bus (lib/bus.ts); KV stays the only truth, so a missed or
 * spurious wake-up costs one read, never a lost or doubled event.
 */
import { INITIAL_STAMP, type MemberState, type StoredEvent } from "./db/db.ts";
import { DomainError } from "./errors.ts";
import { encodeBase64Url } from "./encoding.ts";
import { noteReceived } from "./delivery.ts";
import { type PublicMessage, toPublicMessage } from "./messages.ts";
import type { PublicPresence } from "./presence.ts";
import type { SessionUser, State } from "../server/state.ts";

/** A cursor more events behind than this answers 410 `cursor_expired`: reload instead. */
export const MAX_EVENTS_BEHIND = 1000;

/** One row of the chat list. */
export interface ConversationEntry {
  id: string;
  kind: "direct" | "group";
  title: string;
  /** The other person of a direct conversation; null for a group. */
  peer: string | null;
  /** The newest message, its text cut to a preview; null before the first. */
  lastMessage: { from: string; text: string; sentAt: string } | null;
  /** The others' messages after my read position. */
  unread: number;
  updatedAt: string;
}

/** What the events API and stream deliver. Extend, never rename. */
export type InboxEvent =
  | { type: "message"; conversation: ConversationEntry; message: PublicMessage }
  | { type: "read"; conversation: ConversationEntry; upTo: string }
  | {
    type: "status";
    conversation: ConversationEntry;
    /** Every message of mine up to this one has at least `status`. */
    upTo: string;
    status: "delivered" | "read";
    /** When the position got there. */
    at: string;
  }
  // Ephemeral (never stored, no cursor of their own): someone is typing to me, someone's
  // online / last seen changed.
  | { type: "typing"; conversation: ConversationEntry; user: string }
  | ({ type: "presence"; user: string } & PublicPresence)
  // A group's membership or name change (its system message); see lib/groups.ts.
  | {
    type: "conversation";
    conversation: ConversationEntry;
    message: PublicMessage;
  };

/** Events that come from KV and carry a cursor. */
export type StoredInboxEvent = Extract<
  InboxEvent,
  { type: "message" | "read" | "status" | "conversation" }
>;

/** An event with the cursor that follows it (the stream's `id:`). */
export interface CursoredEvent {
  cursor: string;
  event: StoredInboxEvent;
}

const CURSOR_PREFIX = "e1.";

/** The cursor for "every event up to and including versionstamp `stamp`". */
export function encodeEventCursor(stamp: string): string {
  return encodeBase64Url(new TextEncoder().encode(CURSOR_PREFIX + stamp));
}

/** The versionstamp an event cursor names; 400 `bad_cursor` for anything else. */
export function decodeEventCursor(cursor: string, field = "after"): string {
  let text = "";
  try {
    const b64 = cursor.replaceAll("-", "+").replaceAll("_", "/");
    text = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
  } catch {
    // Falls through to the error below.
  }
  const match = /^e1\.([0-9a-f]{20})$/.exec(text);
  if (!match) {
    throw new DomainError(
      "bad_request",
      "bad_cursor",
      "The event cursor is not valid",
      { field },
    );
  }
  return match[1];
}

// Usernames never change, so an id → name cache is never wrong; a deleted user's name
// lingers harmlessly. Bounded so a long-lived process does not grow with its users.
const NAME_CACHE_MAX = 50_000;
const nameCache = new Map<string, string>();

/** Usernames by id, from the cache or one batched read. */
export async function usernames(
  state: State,
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const name = nameCache.get(id);
    if (name) out.set(id, name);
    else missing.push(id);
  }
  if (missing.length > 0) {
    for (const user of await state.db.getUsers(missing)) {
      if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
      nameCache.set(user.id, user.username);
      out.set(user.id, user.username);
    }
  }
  return out;
}

/** A member state as the chat list shows it. */
export function toConversationEntry(
  state: MemberState,
  names: Map<string, string>,
): ConversationEntry {
  const row = state.row;
  const peer = row.peerId ? names.get(row.peerId) ?? "unknown" : null;
  return {
    id: row.conversationId,
    kind: row.kind,
    title: peer ?? row.title ?? "Group",
    peer,
    lastMessage: row.lastSeq > 0
      ? {
        from: names.get(row.lastFromId) ?? "unknown",
        text: row.preview,
        sentAt: row.lastMessageAt,
      }
      : null,
    unread: state.unread,
    updatedAt: row.lastMessageAt,
  };
}

/** The cursor of "now": no events before it will be delivered. */
export async function currentEventCursor(
  state: State,
  me: SessionUser,
): Promise<string> {
  return encodeEventCursor(await state.db.getInboxStamp(me.id));
}

/**
 * My events after `stamp`, in order, each with its cursor; 410 when too far behind.
 * `changed`: the bus said a commit concerned me (skips the empty check, see lib/db/inbox.ts).
 */
export async function readEvents(
  state: State,
  me: SessionUser,
  stamp: string,
  options?: { changed?: boolean },
): Promise<{ events: CursoredEvent[]; stamp: string }> {
  const batch = await state.db.listEventsAfter(
    me.id,
    stamp,
    MAX_EVENTS_BEHIND,
    options,
  );
  if (!batch) {
    throw new DomainError(
      "gone",
      "cursor_expired",
      "The cursor is too old: reload the conversations and start again",
    );
  }
  if (batch.events.length === 0) return { events: [], stamp: batch.stamp };
  const ids = new Set<string>([me.id]);
  for (const s of batch.states.values()) {
    if (s.row.peerId) ids.add(s.row.peerId);
    ids.add(s.row.lastFromId);
  }
  for (const e of batch.events) {
    // A group message's `to` is the group: no name to look up.
    if (e.type === "message") {
      ids.add(e.message.from);
      if (!e.message.conversation) ids.add(e.message.to);
    }
  }
  const names = await usernames(state, ids);
  noteReceived(
    state,
    me.id,
    batch.events.flatMap((e) => e.type === "message" ? [e.message] : []),
  );
  const events: CursoredEvent[] = [];
  for (const stored of batch.events) {
    const event = toEvent(stored, batch.states, names, me.id);
    if (event) events.push({ cursor: encodeEventCursor(stored.stamp), event });
  }
  return { events, stamp: batch.stamp };
}

function toEvent(
  stored: StoredEvent,
  states: Map<string, MemberState>,
  names: Map<string, string>,
  viewerId: string,
): StoredInboxEvent | null {
  const member = states.get(stored.conversationId);
  if (!member) return null;
  const conversation = toConversationEntry(member, names);
  if (stored.type === "read") {
    return stored.messageId
      ? { type: "read", conversation, upTo: stored.messageId }
      : null;
  }
  if (stored.type === "status") {
    return {
      type: "status",
      conversation,
      upTo: stored.messageId,
      status: stored.status,
      at: stored.at,
    };
  }
  const participants = [...names].map(([id, username]) => ({ id, username }));
  return {
    type: stored.message.system ? "conversation" : "message",
    conversation,
    message: toPublicMessage(stored.message, participants, viewerId, member),
  };
}

/**
 * Waits until `wake` is called (by the bus), `ms` pass or a signal fires; resolves with
 * whether it was woken.
 */
export function sleepUntilWoken(
  subscribe: (wake: () => void) => () => void,
  ms: number,
  signals: AbortSignal[],
): Promise<boolean> {
  if (signals.some((s) => s.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (woken: boolean) => {
      clearTimeout(timer);
      unsubscribe();
      for (const s of signals) s.removeEventListener("abort", onAbort);
      resolve(woken);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    const unsubscribe = subscribe(() => finish(true));
    for (const s of signals) s.addEventListener("abort", onAbort);
  });
}

export { INITIAL_STAMP };
