/** A user's conversation list and unread counts. */
import { keys, parseUnreadKey } from "./keys.ts";
import { commit } from "./kv.ts";

/** One row of a user's conversation index (a per-user view of the latest message). */
export interface ConversationSummary {
  peerId: string;
  conversationId: string;
  lastSeq: number;
  lastMessageAt: string;
  lastFromId: string;
  preview: string;
}

/** Lists a user's conversations, most recent first, with unread counts. */
export async function listConversations(
  kv: Deno.Kv,
  userId: string,
): Promise<Array<ConversationSummary & { unread: number }>> {
  const unread = new Map<string, number>();
  for await (
    const entry of kv.list<Deno.KvU64>({ prefix: keys.unreads(userId) })
  ) {
    unread.set(parseUnreadKey(entry.key).peerId, Number(entry.value.value));
  }
  const rows: Array<ConversationSummary & { unread: number }> = [];
  for await (
    const entry of kv.list<ConversationSummary>({
      prefix: keys.userConversations(userId),
    })
  ) {
    rows.push({ ...entry.value, unread: unread.get(entry.value.peerId) ?? 0 });
  }
  return rows.sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
}

/**
 * Clears a user's unread count for one peer. The versionstamp check means a message
 * counted concurrently is not lost: the reset is skipped and the next read retries.
 */
export async function markRead(
  kv: Deno.Kv,
  userId: string,
  peerId: string,
): Promise<void> {
  const entry = await kv.get<Deno.KvU64>(keys.unread(userId, peerId));
  if (!entry.value || entry.value.value === 0n) return;
  await commit(
    kv.atomic().check(entry).set(
      keys.unread(userId, peerId),
      new Deno.KvU64(0n),
    ),
  );
}
