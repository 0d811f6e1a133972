/**
 * The inbox: every commit that concerns a user also sets that user's tiny
 * `["user_inbox", userId]` key, so "anything new for me?" is one read, and that key's
 * versionstamp orders every change. An event cursor is a versionstamp: the events after V
 * are the messages (a message entry's versionstamp is its send's commit) and read
 * positions (`…, "read"` entries) written after V in my conversations. Nothing per user is
 * checked or counted, so a send to a 256-member group stays one commit with few checks.
 *
 * Each commit also stamps `["inbox_writers", writerId]` for its process, so a process can
 * notice, with one small list, that another process wrote (see lib/inbox_watch.ts).
 */
import type { MemberConversationRow } from "./conversations.ts";
import { getGroup } from "./groups.ts";
import { keys } from "./keys.ts";
import {
  listMemberStates,
  type MemberState,
  readMemberStates,
} from "./member_states.ts";
import { messageAt, messagesAfter } from "./message_cache.ts";
import type { Message } from "./messages.ts";

/** This process's id among the writers sharing a KV database. */
export const WRITER_ID = crypto.randomUUID();
/** A writer that stopped writing is forgotten after a day. */
const WRITER_TTL_MS = 24 * 60 * 60 * 1000;
/** The versionstamp before any commit: the cursor of a user whose inbox was never touched. */
export const INITIAL_STAMP = "00000000000000000000";

/** Adds "this concerns these users" to a commit: their inbox keys and this writer's stamp. */
export function touchInboxes(
  op: Deno.AtomicOperation,
  userIds: Iterable<string>,
): Deno.AtomicOperation {
  const now = Date.now();
  for (const id of new Set(userIds)) op.set(keys.userInbox(id), now);
  return op.set(keys.inboxWriter(WRITER_ID), now, { expireIn: WRITER_TTL_MS });
}

/** The versionstamp of the user's newest change (`INITIAL_STAMP` before any). */
export async function getInboxStamp(
  kv: Deno.Kv,
  userId: string,
): Promise<string> {
  return (await kv.get(keys.userInbox(userId))).versionstamp ?? INITIAL_STAMP;
}

/** Versionstamps of every writer but this process, for noticing their commits. */
export async function listOtherWriters(
  kv: Deno.Kv,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of kv.list({ prefix: keys.inboxWriters() })) {
    const id = String(entry.key[1]);
    if (id !== WRITER_ID) out.set(id, entry.versionstamp);
  }
  return out;
}

/** One change for a user, with the versionstamp that orders it. */
export type StoredEvent =
  | { type: "message"; stamp: string; conversationId: string; message: Message }
  | {
    type: "read";
    stamp: string;
    conversationId: string;
    seq: number;
    messageId: string | null;
  }
  | {
    type: "status";
    stamp: string;
    conversationId: string;
    seq: number;
    messageId: string;
    status: "delivered" | "read";
    at: string;
  };

/** The events after a cursor, up to `stamp` (the cursor to answer with). */
export interface EventBatch {
  stamp: string;
  events: StoredEvent[];
  states: Map<string, MemberState>;
}

/**
 * The user's events with versionstamps in (after, now], in order; null when more than
 * `maxEvents` of them exist (the cursor is too old to serve).
 *
 * "Now" is the newest versionstamp among the member states, read in one snapshot: every
 * commit that gives me an event (a message, a read position, a status) writes one of those
 * entries, and commits are ordered, so everything up to it was visible to that snapshot and
 * stays visible to the message reads that follow. Unless `changed` (the bus said a commit
 * concerned me), the tiny inbox key is read first, so an empty poll costs one small read;
 * a woken stream skips it and pays one listing, plus the new messages (shared through
 * lib/db/message_cache.ts). A listing too long for one snapshot re-reads the inbox key
 * first, so later batches cannot hide an earlier commit.
 */
export async function listEventsAfter(
  kv: Deno.Kv,
  userId: string,
  after: string,
  maxEvents: number,
  options: { changed?: boolean } = {},
): Promise<EventBatch | null> {
  let floor = after;
  if (!options.changed) {
    floor = await getInboxStamp(kv, userId);
    if (floor <= after) return { stamp: after, events: [], states: new Map() };
  }
  let { states, newest, oneSnapshot } = await readMemberStates(kv, userId);
  if (!oneSnapshot) {
    floor = newest = await getInboxStamp(kv, userId);
    states = await listMemberStates(kv, userId);
  }
  // The inbox key read before the listing may be newer than every entry (a removal from a
  // group deletes entries): everything up to it was visible all the same.
  const stamp = newest > floor ? newest : floor;
  if (stamp <= after) return { stamp: after, events: [], states };
  const events: StoredEvent[] = [];
  const inWindow = (vs: string) => vs > after && vs <= stamp;
  for (const [cid, state] of states) {
    if (state.readStamp && inWindow(state.readStamp)) {
      const message = await messageAt(kv, cid, state.read);
      events.push({
        type: "read",
        stamp: state.readStamp,
        conversationId: cid,
        seq: state.read,
        messageId: message?.id ?? null,
      });
    }
    for (
      const [mark, markStamp, status] of [
        [state.delivered, state.deliveredStamp, "delivered"],
        [state.seen, state.seenStamp, "read"],
      ] as const
    ) {
      if (mark && markStamp && inWindow(markStamp)) {
        events.push({
          type: "status",
          stamp: markStamp,
          conversationId: cid,
          seq: mark.seq,
          messageId: mark.messageId,
          status,
          at: mark.at,
        });
      }
    }
    if (state.rowStamp <= after) continue;
    // Newest first, down to the first message already seen: usually one, shared with the
    // other members' streams through the cache.
    const range = {
      fromSeq: await firstVisibleSeq(kv, userId, state.row),
      lastSeq: state.row.lastSeq,
    };
    const room = maxEvents - events.length;
    const window = { after, until: stamp };
    for (const entry of await messagesAfter(kv, cid, range, window, room)) {
      events.push({
        type: "message",
        stamp: entry.stamp,
        conversationId: cid,
        message: entry.message,
      });
    }
    if (events.length > maxEvents) return null;
  }
  events.sort((a, b) =>
    a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : eventSeq(a) - eventSeq(b)
  );
  return { stamp, events, states };
}

/** A member's first visible seq: 1 in a direct chat, the seq that added them to a group. */
async function firstVisibleSeq(
  kv: Deno.Kv,
  userId: string,
  row: MemberConversationRow,
): Promise<number> {
  if (row.kind !== "group") return 1;
  if (row.fromSeq !== undefined) return row.fromSeq;
  // A row from before `fromSeq` existed: the roster knows (no member, nothing to show).
  const group = await getGroup(kv, row.conversationId);
  return group?.roster.find((m) => m.userId === userId)?.joinedSeq ??
    Number.MAX_SAFE_INTEGER;
}

function eventSeq(event: StoredEvent): number {
  return event.type === "message" ? event.message.seq : event.seq;
}
