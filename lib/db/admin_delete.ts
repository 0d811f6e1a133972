/**
 * Deleting a user and everything that mentions them (`deno task admin user:delete`). It
 * runs beside a live server, so it works in batches, deletes the user record last (an
 * interrupted run can be repeated) and re-scans until a pass finds nothing.
 */
import { DomainError } from "../errors.ts";
import { ADMIN_BATCH } from "./admin.ts";
import type { MemberConversationRow } from "./conversations.ts";
import { removeGroupMember } from "./groups.ts";
import { conversationId, keys, legacyKeys } from "./keys.ts";
import { commit, commitWithRetry } from "./kv.ts";
import type { Message } from "./messages.ts";
import { deleteUserSessions } from "./sessions.ts";
import type { User } from "./users.ts";

/** How often the user cascade re-scans before giving up on a user who keeps getting data. */
const MAX_DELETE_PASSES = 10;

/** What deleting a user removed. */
export interface DeleteUserResult {
  conversations: number;
  /** Groups the user was taken out of (deleted when left empty). */
  groups: number;
  messages: number;
  sessions: number;
}

/**
 * Removes a user and everything that mentions them: sessions, sign-in identities, every
 * conversation with them (record, messages, head, client ids), both members' state, and their counters. A peer's "messages sent" drops by the messages of
 * theirs that were deleted, so it keeps counting messages that exist. The scan repeats
 * until a pass finds nothing, which also catches messages or sessions written while it ran.
 */
export async function deleteUserCascade(
  kv: Deno.Kv,
  userId: string,
): Promise<DeleteUserResult> {
  const result: DeleteUserResult = {
    conversations: 0,
    groups: 0,
    messages: 0,
    sessions: 0,
  };
  for (let pass = 0; pass < MAX_DELETE_PASSES; pass++) {
    let removed = 0;
    const sessions = await deleteUserSessions(kv, userId);
    result.sessions += sessions;
    removed += sessions;
    for await (
      const row of kv.list<Partial<MemberConversationRow>>({
        prefix: keys.userConversations(userId),
      })
    ) {
      if (row.key.length === 3 && row.value.kind === "group") {
        // Leaving like a member would: the roster shrinks, an empty group goes.
        await removeFromGroup(kv, String(row.key[2]), userId);
        result.groups++;
        removed++;
        continue;
      }
      // Rows of both layouts (v1 keyed by peer, v2 by conversation) name the peer.
      const peerId = row.key.length === 3 ? row.value.peerId : undefined;
      if (!peerId) continue;
      result.messages += await deleteConversationWith(kv, userId, peerId);
      result.conversations++;
      removed++;
    }
    removed += await deleteUserIdentities(kv, userId);
    const leftovers = [
      ...await listKeys(kv, keys.userConversations(userId)),
      ...await listKeys(kv, keys.userAttachments(userId)),
      ...await listKeys(kv, legacyKeys.unreads(userId)),
      keys.userActivity(userId),
      keys.userSettings(userId),
      keys.userLastSeen(userId),
      keys.sentCount(userId),
      keys.userInbox(userId),
    ];
    removed += await deleteKeys(kv, leftovers);
    const user = await kv.get<User>(keys.user(userId));
    if (user.value) {
      const nameKey = keys.userByName(user.value.username);
      const pointer = await kv.get<string>(nameKey);
      const op = kv.atomic().check(user).delete(keys.user(userId));
      if (pointer.value === userId) op.check(pointer).delete(nameKey);
      await commit(op);
      removed++;
    }
    if (removed === 0) return result;
  }
  throw new DomainError(
    "busy",
    "busy",
    "Cannot delete user: new data kept arriving, try again",
  );
}

/** Deletes one conversation and both members' rows and counters for it; returns its message count. */
async function deleteConversationWith(
  kv: Deno.Kv,
  userId: string,
  peerId: string,
): Promise<number> {
  const cid = conversationId(userId, peerId);
  let messages = 0;
  let batch: Deno.KvKey[] = [];
  let fromPeer = 0;
  const flush = async () => {
    await deleteAndLowerSentCount(kv, batch, peerId, fromPeer);
    batch = [];
    fromPeer = 0;
  };
  for await (
    const entry of kv.list<Message>({ prefix: keys.conversation(cid) }, {
      batchSize: ADMIN_BATCH,
    })
  ) {
    batch.push(entry.key);
    if (entry.key[2] === "messages") {
      messages++;
      if (entry.value.from === peerId) fromPeer++;
    }
    if (batch.length === ADMIN_BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  // The record and member state go after the messages, so a repeated run still finds
  // the conversation. Version 1 keys go too: this may run before a migration.
  const memberKeys = [userId, peerId].flatMap((member) => [
    keys.userConversationRead(member, cid),
    keys.userConversationUnread(member, cid),
    keys.userConversationDelivered(member, cid),
    keys.userConversationSeen(member, cid),
    legacyKeys.unread(member, member === userId ? peerId : userId),
    legacyKeys.userConversation(member, member === userId ? peerId : userId),
    keys.userConversation(member, cid),
  ]);
  // Both members' quota rows for the conversation's attachments (their bytes went above).
  const quotaRows = [
    ...await listKeys(kv, keys.userConversationAttachments(userId, cid)),
    ...await listKeys(kv, keys.userConversationAttachments(peerId, cid)),
  ];
  await deleteKeys(kv, [keys.conversation(cid), ...memberKeys, ...quotaRows]);
  return messages;
}

/** Deletes keys and lowers `peerId`'s sent count by `fromPeer` in one checked commit. */
async function deleteAndLowerSentCount(
  kv: Deno.Kv,
  batch: Deno.KvKey[],
  peerId: string,
  fromPeer: number,
): Promise<void> {
  // A conflict means the peer sent a message meanwhile: re-read their count.
  await commitWithRetry(async () => {
    const op = kv.atomic();
    for (const key of batch) op.delete(key);
    if (fromPeer > 0) {
      const count = await kv.get<Deno.KvU64>(keys.sentCount(peerId));
      const current = count.value?.value ?? 0n;
      const lowered = current > BigInt(fromPeer)
        ? current - BigInt(fromPeer)
        : 0n;
      op.check(count).set(keys.sentCount(peerId), new Deno.KvU64(lowered));
    }
    return { op, result: undefined };
  }, "Cannot delete user: try again");
}

/** Takes the user out of a group; already gone (a repeated pass) is fine. */
async function removeFromGroup(
  kv: Deno.Kv,
  gid: string,
  userId: string,
): Promise<void> {
  try {
    await removeGroupMember(kv, gid, userId, userId);
  } catch (error) {
    if (!(error instanceof DomainError && error.kind === "not_found")) {
      throw error;
    }
  }
}

/** Deletes a user's linked sign-in identities; returns how many keys went. */
async function deleteUserIdentities(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  const doomed: Deno.KvKey[] = [];
  for await (
    const row of kv.list<{ provider?: string; subject?: string }>({
      prefix: keys.userIdentities(userId),
    })
  ) {
    doomed.push(row.key);
    const provider = row.value?.provider ?? String(row.key[2]);
    if (typeof row.value?.subject !== "string") continue;
    const identityKey = keys.identity(provider, row.value.subject);
    const owner = identityOwner((await kv.get(identityKey)).value);
    // Never unlink an identity that has since been linked to someone else.
    if (owner === undefined || owner === userId) doomed.push(identityKey);
  }
  return await deleteKeys(kv, doomed);
}

/** The user id an `identities` value points to (a bare id, or an object with `userId`). */
function identityOwner(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "userId" in value) {
    return String(value.userId);
  }
  return undefined;
}

async function listKeys(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
): Promise<Deno.KvKey[]> {
  const found: Deno.KvKey[] = [];
  for await (const entry of kv.list({ prefix })) found.push(entry.key);
  return found;
}

/** Deletes the keys that exist, in batches; returns how many existed. */
async function deleteKeys(
  kv: Deno.Kv,
  candidates: Deno.KvKey[],
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < candidates.length; i += 10) {
    const entries = await kv.getMany(candidates.slice(i, i + 10));
    const present = entries.filter((entry) => entry.versionstamp !== null);
    if (present.length === 0) continue;
    const op = kv.atomic();
    for (const entry of present) op.delete(entry.key);
    await commit(op);
    deleted += present.length;
  }
  return deleted;
}
