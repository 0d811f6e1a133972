/**
 * Version 2: conversations as records. Version 1 kept, per user, a row keyed by the peer
 * (`["user_conversations", userId, peerId]`) and a counter under `["unread", userId,
 * peerId]`. Version 2 adds the record `["conversations", id]` and keys each member's state
 * by conversation: row, read position and unread count. Messages, heads and client ids
 * do not move, so message ids, times, URLs and cursors stay valid.
 *
 * Each legacy row is moved in ONE atomic commit that writes the new keys and deletes the
 * old ones, checked against every key it read: a kill leaves each row either old or new,
 * and a repeated run finds nothing old left to move.
 */
import { conversationId, keys, legacyKeys } from "../keys.ts";
import { commit, commitWithRetry } from "../kv.ts";
import type {
  ConversationRecord,
  MemberConversationRow,
} from "../conversations.ts";
import type { ConversationHead, Message } from "../messages.ts";
import type { Migration, MigrationBatch } from "./migration.ts";

/** A version 1 row: the same fields as today's, without `kind`. */
interface LegacyRow {
  peerId: string;
  conversationId: string;
  lastSeq: number;
  lastMessageAt: string;
  lastFromId: string;
  preview: string;
}

function isLegacyRow(key: Deno.KvKey, value: unknown): value is LegacyRow {
  return key.length === 3 && typeof value === "object" && value !== null &&
    !("kind" in value) && "peerId" in value;
}

/** Phases of the work, kept in the cursor: rows first, then counters left without a row. */
type Phase = "rows" | "unread";

function parseCursor(cursor?: string): { phase: Phase; kvCursor?: string } {
  if (!cursor) return { phase: "rows" };
  const [phase, kvCursor] = cursor.split(":", 2) as [Phase, string];
  return { phase, kvCursor: kvCursor || undefined };
}

export const conversationRecords: Migration = {
  version: 2,
  description:
    "conversations as records: a record per conversation, member state keyed by conversation",

  async batch(kv, options): Promise<MigrationBatch> {
    const { phase, kvCursor } = parseCursor(options.cursor);
    const prefix = phase === "rows"
      ? keys.allUserConversations()
      : legacyKeys.allUnreads();
    const iter = kv.list({ prefix }, {
      cursor: kvCursor,
      limit: options.limit,
    });
    let changed = 0;
    let seen = 0;
    for await (const entry of iter) {
      seen++;
      if (phase === "rows" && isLegacyRow(entry.key, entry.value)) {
        await moveRow(kv, String(entry.key[1]), entry.value.peerId);
        changed++;
      } else if (phase === "unread") {
        changed += await deleteOrphanUnread(kv, entry.key);
      }
    }
    if (seen === options.limit) {
      return { changed, cursor: `${phase}:${iter.cursor}` };
    }
    return { changed, cursor: phase === "rows" ? "unread:" : null };
  },

  async plan(kv) {
    let rows = 0;
    let counters = 0;
    for await (
      const entry of kv.list({ prefix: keys.allUserConversations() })
    ) {
      if (isLegacyRow(entry.key, entry.value)) rows++;
    }
    for await (const _ of kv.list({ prefix: legacyKeys.allUnreads() })) {
      counters++;
    }
    return `move ${rows} conversation rows and ${counters} unread counters to records and member state`;
  },
};

/** Moves one member's version 1 row and counter to version 2, in one checked commit. */
async function moveRow(
  kv: Deno.Kv,
  userId: string,
  peerId: string,
): Promise<void> {
  const cid = conversationId(userId, peerId);
  const legacyRowKey = legacyKeys.userConversation(userId, peerId);
  const legacyUnreadKey = legacyKeys.unread(userId, peerId);
  await commitWithRetry(async () => {
    const [legacyRow, legacyUnread, row, unread, read, record, head] = await kv
      .getMany<
        [
          LegacyRow,
          Deno.KvU64,
          MemberConversationRow,
          Deno.KvU64,
          number,
          ConversationRecord,
          ConversationHead,
        ]
      >([
        legacyRowKey,
        legacyUnreadKey,
        keys.userConversation(userId, cid),
        keys.userConversationUnread(userId, cid),
        keys.userConversationRead(userId, cid),
        keys.conversation(cid),
        keys.conversationHead(cid),
      ]);
    if (!legacyRow.value) return { done: undefined };
    const old = legacyRow.value;
    // A send by newer code before the migration ran already wrote version 2 state: keep
    // the newer row and add both counts, so nothing counted is lost.
    const count = (legacyUnread.value?.value ?? 0n) +
      (unread.value?.value ?? 0n);
    const op = kv.atomic()
      .check(legacyRow, legacyUnread, row, unread, read, record, head)
      .delete(legacyRowKey)
      .delete(legacyUnreadKey)
      .set(keys.userConversationUnread(userId, cid), new Deno.KvU64(count));
    if (!row.value || row.value.lastSeq < old.lastSeq) {
      op.set(
        keys.userConversation(userId, cid),
        {
          conversationId: cid,
          kind: "direct",
          peerId,
          lastSeq: old.lastSeq,
          lastMessageAt: old.lastMessageAt,
          lastFromId: old.lastFromId,
          preview: old.preview,
        } satisfies MemberConversationRow,
      );
    }
    if (read.value === null) {
      const position = await readPosition(kv, cid, userId, count);
      op.set(keys.userConversationRead(userId, cid), position);
    }
    if (!record.value) {
      op.set(
        keys.conversation(cid),
        {
          id: cid,
          kind: "direct",
          members: [userId, peerId].sort(),
          createdAt: await firstMessageAt(kv, cid) ?? old.lastMessageAt,
        } satisfies ConversationRecord,
      );
    }
    return { op, result: undefined };
  }, "Cannot migrate: the conversation keeps changing, try again");
}

/**
 * The read position that makes "the peer's messages after it" equal the stored unread
 * count: just before the `unread`-th newest message from the peer (version 1 cleared the
 * whole count on reading, so the unread ones are always the newest).
 */
async function readPosition(
  kv: Deno.Kv,
  cid: string,
  userId: string,
  unread: bigint,
): Promise<number> {
  let found = 0n;
  let newest = 0;
  for await (
    const entry of kv.list<Message>({ prefix: keys.messages(cid) }, {
      reverse: true,
    })
  ) {
    newest ||= entry.value.seq;
    if (found === unread) return entry.value.seq;
    if (entry.value.from !== userId) found++;
    if (found === unread) return entry.value.seq - 1;
  }
  return unread === 0n ? newest : 0;
}

async function firstMessageAt(
  kv: Deno.Kv,
  cid: string,
): Promise<string | undefined> {
  for await (
    const entry of kv.list<Message>({ prefix: keys.messages(cid) }, {
      limit: 1,
    })
  ) {
    return entry.value.sentAt;
  }
  return undefined;
}

/** Deletes a version 1 counter whose row is gone (an interrupted user delete); 1 if it did. */
async function deleteOrphanUnread(
  kv: Deno.Kv,
  key: Deno.KvKey,
): Promise<number> {
  const [userId, peerId] = [String(key[1]), String(key[2])];
  const [counter, row] = await kv.getMany([
    key,
    legacyKeys.userConversation(userId, peerId),
  ]);
  if (!counter.value || row.value) return 0;
  const result = await commit(kv.atomic().check(counter, row).delete(key));
  return result.ok ? 1 : 0;
}
