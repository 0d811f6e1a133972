/**
 * Conversations as records: `["conversations", id]` says what a conversation is (kind,
 * members, creation); each member keeps their own state under
 * `["user_conversations", userId, id]` (the latest message, for the chat list), `…, "read"`
 * (read position, a seq) and `…, "unread"` (a counter senders add to without reading it).
 *
 * A send fans out to every member in ONE atomic commit: per member one row and (others)
 * one counter, so 2n + 5 mutations, ~0.4 KiB each, and 3 checks (head, record, client id)
 * for a group: 256 members stay far within KV's 1000 mutations, 800 KiB and 10 checks.
 */
import { truncateGraphemes } from "../text.ts";
import { keys, parseUserConversationKey } from "./keys.ts";
import { touchInboxes } from "./inbox.ts";
import { commitWithRetry } from "./kv.ts";
import type { ConversationHead, Message } from "./messages.ts";
import { addReadToOwners, type StatusMark } from "./receipts.ts";

/** The largest group the single-commit send is sized for (see the module comment). */
export const MAX_CONVERSATION_MEMBERS = 256;
const PREVIEW_LENGTH = 120;

/** A stored conversation. Direct ones have the id `conversationId(a, b)`. */
export interface ConversationRecord {
  id: string;
  kind: "direct" | "group";
  /** User ids, sorted. */
  members: string[];
  createdAt: string;
  /** A group's name (lib/db/groups.ts); direct conversations have none. */
  title?: string;
}

/** A member's row for one conversation: its latest message, for the chat list. */
export interface MemberConversationRow {
  conversationId: string;
  kind: ConversationRecord["kind"];
  /** The other member of a direct conversation. */
  peerId?: string;
  lastSeq: number;
  /** Last activity: when the latest message was sent. */
  lastMessageAt: string;
  lastFromId: string;
  preview: string;
  /** A group's name as of its latest message (renames are messages too). */
  title?: string;
  /**
   * A group member's first visible seq (the message that added them): the inbox never
   * shows them anything older. Rows written before it existed lack it; readers then take
   * the group's roster (lib/db/inbox.ts).
   */
  fromSeq?: number;
}

/** One row of a user's direct conversations, as the chat list shows it. */
export interface ConversationSummary {
  peerId: string;
  conversationId: string;
  lastSeq: number;
  lastMessageAt: string;
  lastFromId: string;
  preview: string;
}

/** Returns the conversation record, or null (a direct one exists from its first message). */
export async function getConversation(
  kv: Deno.Kv,
  cid: string,
): Promise<ConversationRecord | null> {
  return (await kv.get<ConversationRecord>(keys.conversation(cid))).value;
}

/**
 * Adds a new message's per-member writes to `op`: every member's row, and one more unread
 * for everyone but the sender. No member state is read, so the send's cost does not grow
 * with reads, only with these 2n − 1 mutations.
 */
export function addMessageToMembers(
  op: Deno.AtomicOperation,
  conversation:
    & Pick<ConversationRecord, "id" | "kind" | "members" | "title">
    & { roster?: Array<{ userId: string; joinedSeq: number }> },
  message: Pick<Message, "seq" | "from" | "text" | "sentAt" | "attachments">,
): Deno.AtomicOperation {
  // A message of attachments only is previewed by the first one's name.
  const preview = truncateGraphemes(
    message.text || `📎 ${message.attachments?.[0]?.name ?? ""}`,
    PREVIEW_LENGTH,
  );
  const joined = new Map(
    conversation.roster?.map((m) => [m.userId, m.joinedSeq]),
  );
  for (const member of conversation.members) {
    const fromSeq = joined.get(member);
    const peerId = conversation.kind === "direct"
      ? conversation.members.find((m) => m !== member)
      : undefined;
    const row: MemberConversationRow = {
      conversationId: conversation.id,
      kind: conversation.kind,
      ...(peerId ? { peerId } : {}),
      ...(conversation.title !== undefined
        ? { title: conversation.title }
        : {}),
      ...(fromSeq !== undefined ? { fromSeq } : {}),
      lastSeq: message.seq,
      lastMessageAt: message.sentAt,
      lastFromId: message.from,
      preview,
    };
    op.set(keys.userConversation(member, conversation.id), row);
    if (member !== message.from) {
      op.sum(keys.userConversationUnread(member, conversation.id), 1n);
    }
  }
  // Every member's inbox moves with the message: their event streams wake and order by it.
  return touchInboxes(op, conversation.members);
}

/** Lists a user's direct conversations, most recent first, with unread counts. */
export async function listConversations(
  kv: Deno.Kv,
  userId: string,
): Promise<Array<ConversationSummary & { unread: number }>> {
  const rows = new Map<string, MemberConversationRow>();
  const unread = new Map<string, number>();
  for await (
    const entry of kv.list<MemberConversationRow | Deno.KvU64>({
      prefix: keys.userConversations(userId),
    })
  ) {
    const { conversationId, part } = parseUserConversationKey(entry.key);
    if (part === "row") {
      rows.set(conversationId, entry.value as MemberConversationRow);
    } else if (part === "unread") {
      unread.set(conversationId, Number((entry.value as Deno.KvU64).value));
    }
  }
  const summaries: Array<ConversationSummary & { unread: number }> = [];
  for (const row of rows.values()) {
    if (row.kind !== "direct" || !row.peerId) continue;
    summaries.push({
      peerId: row.peerId,
      conversationId: row.conversationId,
      lastSeq: row.lastSeq,
      lastMessageAt: row.lastMessageAt,
      lastFromId: row.lastFromId,
      preview: row.preview,
      unread: unread.get(row.conversationId) ?? 0,
    });
  }
  return summaries.sort((a, b) =>
    b.lastMessageAt.localeCompare(a.lastMessageAt)
  );
}

/** A member's read position in a conversation (0 before anything was read). */
export async function getReadPosition(
  kv: Deno.Kv,
  userId: string,
  cid: string,
): Promise<number> {
  return (await kv.get<number>(keys.userConversationRead(userId, cid))).value ??
    0;
}

/**
 * Moves a member's read position forward to `upToSeq` (never back, never past the newest
 * message) and recomputes their unread count: the others' messages after it. The head,
 * position and counter are checked, so a message arriving meanwhile is never lost: the
 * whole step is redone. The others' messages up to there become delivered, and read for
 * each of `owners` whose `receipts` is true (both people allow read receipts). Returns
 * the owners whose positions moved (their inboxes were touched).
 */
export async function markRead(
  kv: Deno.Kv,
  userId: string,
  cid: string,
  upToSeq: number,
  receipt?: {
    messageId: string;
    owners: Array<{ ownerId: string; receipts: boolean }>;
  },
): Promise<string[]> {
  const readKey = keys.userConversationRead(userId, cid);
  const unreadKey = keys.userConversationUnread(userId, cid);
  const owners = receipt?.owners ?? [];
  return await commitWithRetry<string[]>(async () => {
    const [read, unread, head, ...positions] = await kv.getMany<
      [number, Deno.KvU64, ConversationHead, ...StatusMark[]]
    >([
      readKey,
      unreadKey,
      keys.conversationHead(cid),
      ...owners.flatMap((o) => [
        keys.userConversationDelivered(o.ownerId, cid),
        keys.userConversationSeen(o.ownerId, cid),
      ]),
    ]);
    const position = Math.min(upToSeq, head.value?.seq ?? 0);
    if (position <= (read.value ?? 0)) return { done: [] };
    let count = 0n;
    for await (
      const entry of kv.list<Message>({
        prefix: keys.messages(cid),
        start: keys.message(cid, position + 1),
      })
    ) {
      if (entry.value.from !== userId) count++;
    }
    const op = kv.atomic()
      .check(read, unread, head)
      .set(readKey, position)
      .set(unreadKey, new Deno.KvU64(count));
    // Other tabs of this user hear of the move through their inbox (a `read` event).
    touchInboxes(op, [userId]);
    const touched = receipt && position === upToSeq
      ? addReadToOwners(
        op,
        owners.map((o, i) => ({
          ownerId: o.ownerId,
          cid,
          receipts: o.receipts,
          delivered: positions[2 * i] as Deno.KvEntryMaybe<StatusMark>,
          seen: positions[2 * i + 1] as Deno.KvEntryMaybe<StatusMark>,
        })),
        {
          seq: position,
          messageId: receipt.messageId,
          at: new Date().toISOString(),
        },
      )
      : [];
    return { op, result: touched };
  }, "Cannot mark the conversation read: try again");
}
