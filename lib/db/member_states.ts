/**
 * A user's state in each of their conversations, as the inbox and the chat list read it:
 * every `["user_conversations", userId, …]` entry (row, unread count, read position, the
 * statuses of my messages) with the versionstamps that say when each last moved.
 */
import type { MemberConversationRow } from "./conversations.ts";
import { INITIAL_STAMP } from "./inbox.ts";
import { keys, parseUserConversationKey } from "./keys.ts";
import type { StatusMark } from "./receipts.ts";

/** A member's state in one conversation: the chat list's row and the statuses of my messages. */
export interface MemberState {
  row: MemberConversationRow;
  unread: number;
  /** Read position (a seq) and the versionstamp of its last move. */
  read: number;
  readStamp: string | null;
  rowStamp: string;
  /** How far the others have received / read my messages, with the versionstamps of the moves. */
  delivered: StatusMark | null;
  deliveredStamp: string | null;
  seen: StatusMark | null;
  seenStamp: string | null;
}

/** The most entries one KV read returns: a listing that fits is one snapshot. */
const ONE_SNAPSHOT = 1000;

/** Every conversation of a user with its row, unread count and read position. */
export async function listMemberStates(
  kv: Deno.Kv,
  userId: string,
): Promise<Map<string, MemberState>> {
  return (await readMemberStates(kv, userId)).states;
}

/**
 * The member states and the newest versionstamp among their entries; `oneSnapshot` says
 * whether they came from one KV read (a user with more than ~200 conversations needs more).
 */
export async function readMemberStates(
  kv: Deno.Kv,
  userId: string,
): Promise<
  { states: Map<string, MemberState>; newest: string; oneSnapshot: boolean }
> {
  const rows = new Map<string, MemberState>();
  const unread = new Map<string, number>();
  const read = new Map<string, { seq: number; stamp: string }>();
  const marks = new Map<string, { mark: StatusMark; stamp: string }>();
  let newest = INITIAL_STAMP;
  let count = 0;
  for await (
    const entry of kv.list<unknown>(
      { prefix: keys.userConversations(userId) },
      {
        batchSize: ONE_SNAPSHOT,
      },
    )
  ) {
    count++;
    if (entry.versionstamp > newest) newest = entry.versionstamp;
    const { conversationId, part } = parseUserConversationKey(entry.key);
    if (part === "row") {
      rows.set(conversationId, {
        row: entry.value as MemberConversationRow,
        unread: 0,
        read: 0,
        readStamp: null,
        rowStamp: entry.versionstamp,
        delivered: null,
        deliveredStamp: null,
        seen: null,
        seenStamp: null,
      });
    } else if (part === "unread") {
      unread.set(conversationId, Number((entry.value as Deno.KvU64).value));
    } else if (part === "delivered" || part === "seen") {
      marks.set(`${part}:${conversationId}`, {
        mark: entry.value as StatusMark,
        stamp: entry.versionstamp,
      });
    } else {
      read.set(conversationId, {
        seq: Number(entry.value),
        stamp: entry.versionstamp,
      });
    }
  }
  for (const [cid, state] of rows) {
    state.unread = unread.get(cid) ?? 0;
    state.read = read.get(cid)?.seq ?? 0;
    state.readStamp = read.get(cid)?.stamp ?? null;
    const delivered = marks.get(`delivered:${cid}`);
    state.delivered = delivered?.mark ?? null;
    state.deliveredStamp = delivered?.stamp ?? null;
    const seen = marks.get(`seen:${cid}`);
    state.seen = seen?.mark ?? null;
    state.seenStamp = seen?.stamp ?? null;
  }
  return { states: rows, newest, oneSnapshot: count < ONE_SNAPSHOT };
}

/** A user's row and unread count in one conversation (statuses left empty), or null. */
export async function getMemberState(
  kv: Deno.Kv,
  userId: string,
  cid: string,
): Promise<MemberState | null> {
  const [row, unread] = await kv.getMany<[MemberConversationRow, Deno.KvU64]>([
    keys.userConversation(userId, cid),
    keys.userConversationUnread(userId, cid),
  ]);
  if (!row.value) return null;
  return {
    row: row.value,
    unread: Number(unread.value?.value ?? 0n),
    read: 0,
    readStamp: null,
    rowStamp: row.versionstamp,
    delivered: null,
    deliveredStamp: null,
    seen: null,
    seenStamp: null,
  };
}
