/**
 * Verbs for `deno task admin` (tasks/admin/): overviews, counts, backup and restore. They
 * work on a KV the server may be using at the same time, so bulk writes go in atomic
 * batches well under KV's limit of 1000 mutations. Deleting a user is in `admin_delete.ts`.
 */
import { DomainError } from "../errors.ts";
import { attachmentBytesByUser } from "./attachments.ts";
import type { MemberConversationRow } from "./conversations.ts";
import { keys } from "./keys.ts";
import { hasNoData, isMigrationLeaseKey } from "./migrations/runner.ts";
import { commit } from "./kv.ts";
import type { ConversationHead } from "./messages.ts";
import { type Session, SESSION_MAX_AGE_MS } from "./sessions.ts";
import { listUsers, type User } from "./users.ts";

/** Bulk reads and writes go in batches of this many entries (KV allows 1000 mutations). */
export const ADMIN_BATCH = 500;

/** One row of `deno task admin user:list`. */
export interface UserActivity {
  user: User;
  /** Newest sign-in or session use (sessions are touched at most hourly), or null. */
  lastActiveAt: string | null;
  messagesSent: number;
}

/** What `deno task admin stats` reports. */
export interface AdminStats {
  users: number;
  conversations: number;
  /** Group conversations (their messages count in `messages` too). */
  groups: number;
  messages: number;
  sessions: number;
  /** Bytes of attachments stored (files and thumbnails), in total and per username. */
  attachmentBytes: number;
  attachmentBytesByUser: Record<string, number>;
}

/**
 * True when the KV holds no data (import refuses anything else without --merge). The
 * schema version a starting server stamps and server secrets it makes do not count.
 */
export async function isEmpty(kv: Deno.Kv): Promise<boolean> {
  return await hasNoData(kv);
}

/** Every user with last activity and the count of messages they sent, ordered by name. */
export async function listUserActivity(kv: Deno.Kv): Promise<UserActivity[]> {
  const rows: UserActivity[] = [];
  for (const user of await listUsers(kv)) {
    const [activity, sent] = await kv.getMany<[string, Deno.KvU64]>([
      keys.userActivity(user.id),
      keys.sentCount(user.id),
    ]);
    let lastActiveAt = activity.value;
    // Sessions from before `user_activity` existed still tell when someone was last seen.
    for await (const entry of kv.list({ prefix: keys.userSessions(user.id) })) {
      const session = (await kv.get<Session>(
        keys.session(String(entry.key[2])),
      )).value;
      if (session && (!lastActiveAt || session.lastSeenAt > lastActiveAt)) {
        lastActiveAt = session.lastSeenAt;
      }
    }
    rows.push({
      user,
      lastActiveAt,
      messagesSent: Number(sent.value?.value ?? 0n),
    });
  }
  return rows.sort((a, b) =>
    a.user.username.toLowerCase().localeCompare(b.user.username.toLowerCase())
  );
}

/** Counts users, direct conversations, groups, messages and live sessions. */
export async function countAll(
  kv: Deno.Kv,
  now = new Date(),
): Promise<AdminStats> {
  const stats: AdminStats = {
    users: 0,
    conversations: 0,
    groups: 0,
    messages: 0,
    sessions: 0,
    attachmentBytes: 0,
    attachmentBytesByUser: {},
  };
  const names = new Map<string, string>();
  for await (const entry of kv.list<User>({ prefix: keys.users() })) {
    stats.users++;
    names.set(entry.value.id, entry.value.username);
  }
  for (const [userId, bytes] of await attachmentBytesByUser(kv)) {
    stats.attachmentBytes += bytes;
    stats.attachmentBytesByUser[names.get(userId) ?? userId] = bytes;
  }
  // Each direct conversation has a row in both members' indexes: count it once, via the
  // smaller id, and read its head (whose seq is its message count) in batches of 10.
  // Rows of the version 1 layout have the same fields, so a database not migrated yet
  // counts the same.
  let heads: Deno.KvKey[] = [];
  const addHeads = async () => {
    for (const head of await kv.getMany<ConversationHead[]>(heads)) {
      stats.messages += head.value?.seq ?? 0;
    }
    heads = [];
  };
  for await (
    const entry of kv.list<Partial<MemberConversationRow>>({
      prefix: keys.allUserConversations(),
    })
  ) {
    if (entry.key.length !== 3) continue;
    const userId = String(entry.key[1]);
    const { peerId, conversationId } = entry.value;
    if (!peerId || !conversationId || userId > peerId) continue;
    stats.conversations++;
    heads.push(keys.conversationHead(conversationId));
    if (heads.length === 10) await addHeads();
  }
  for await (const entry of kv.list({ prefix: keys.groups() })) {
    stats.groups++;
    heads.push(keys.conversationHead(String(entry.key[1])));
    if (heads.length === 10) await addHeads();
  }
  if (heads.length > 0) await addHeads();
  for await (const entry of kv.list<Session>({ prefix: keys.sessions() })) {
    // KV expiry is lazy: a session past its age is dead even if still stored.
    const idle = now.getTime() - Date.parse(entry.value.lastSeenAt);
    if (idle <= SESSION_MAX_AGE_MS) stats.sessions++;
  }
  return stats;
}

/**
 * Every entry worth backing up, in KV key order (deterministic), including the schema
 * version. Sessions, pending OAuth states and a migration lease are left out: they are
 * short-lived, and cannot carry their expiry through a list. Server secrets are left out:
 * a backup must not leak them.
 */
export async function* exportEntries(
  kv: Deno.Kv,
): AsyncGenerator<Deno.KvEntry<unknown>> {
  const skipped = new Set(
    [
      keys.sessions(),
      keys.allUserSessions(),
      keys.oauthStates(),
      keys.secrets(),
    ].map((k) => k[0]),
  );
  for await (
    const entry of kv.list({ prefix: [] }, { batchSize: ADMIN_BATCH })
  ) {
    if (skipped.has(entry.key[0] as string)) continue;
    if (isMigrationLeaseKey(entry.key)) continue;
    yield entry;
  }
}

/** Writes imported entries in one atomic commit (callers keep batches under KV's limits). */
export async function importBatch(
  kv: Deno.Kv,
  entries: Array<{ key: Deno.KvKey; value: unknown }>,
): Promise<void> {
  const op = kv.atomic();
  for (const entry of entries) op.set(entry.key, entry.value);
  const result = await commit(op);
  if (!result.ok) {
    throw new DomainError("busy", "busy", "Cannot import: try again");
  }
}
