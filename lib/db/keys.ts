/**
 * Every KV key the app uses, built in one place, and the parsers that read ids back out of
 * listed keys. README's "KV key layout" table mirrors this module.
 */

/** Every KV key the app uses. */
export const keys = {
  user: (id: string) => ["users", id],
  users: () => ["users"],
  userByName: (username: string) => ["users_by_name", username.toLowerCase()],
  session: (tokenHash: string) => ["sessions", tokenHash],
  userSession: (userId: string, tokenHash: string) => [
    "user_sessions",
    userId,
    tokenHash,
  ],
  userSessions: (userId: string) => ["user_sessions", userId],
  conversationHead: (conversationId: string) => [
    "conversations",
    conversationId,
    "head",
  ],
  message: (conversationId: string, seq: number) => [
    "conversations",
    conversationId,
    "messages",
    seq,
  ],
  messages: (conversationId: string) => [
    "conversations",
    conversationId,
    "messages",
  ],
  clientMessage: (
    conversationId: string,
    senderId: string,
    clientId: string,
  ) => ["conversations", conversationId, "client_ids", senderId, clientId],
  /** A member's row for one conversation: its latest message, written by every send. */
  userConversation: (userId: string, conversationId: string) => [
    "user_conversations",
    userId,
    conversationId,
  ],
  /** The seq up to which a member has read (moves forward only). */
  userConversationRead: (userId: string, conversationId: string) => [
    "user_conversations",
    userId,
    conversationId,
    "read",
  ],
  /** A member's unread count (a KvU64, so senders can add to it without reading it). */
  userConversationUnread: (userId: string, conversationId: string) => [
    "user_conversations",
    userId,
    conversationId,
    "unread",
  ],
  /** How far the others have received my messages: `{ seq, messageId, at }`, forward only. */
  userConversationDelivered: (userId: string, conversationId: string) => [
    "user_conversations",
    userId,
    conversationId,
    "delivered",
  ],
  /** How far the others have read my messages, as read receipts allow: `{ seq, messageId, at }`. */
  userConversationSeen: (userId: string, conversationId: string) => [
    "user_conversations",
    userId,
    conversationId,
    "seen",
  ],
  userConversations: (userId: string) => ["user_conversations", userId],
  /** Privacy settings: read receipts, typing indicators, who sees last seen. */
  userSettings: (userId: string) => ["user_settings", userId],
  /** Epoch ms the user was last seen online, written at most once a minute (lib/presence.ts). */
  userLastSeen: (userId: string) => ["user_last_seen", userId],
  sentCount: (userId: string) => ["user_sent_counts", userId],
  /** Sign-in with an external provider (issue 6): (provider, subject) → userId. */
  identity: (
    provider: string,
    subject: string,
  ) => ["identities", provider, subject],
  /** The providers linked to a user, for listing and unlinking. */
  userIdentity: (
    userId: string,
    provider: string,
  ) => ["user_identities", userId, provider],
  userIdentities: (userId: string) => ["user_identities", userId],
  /** Pending OAuth sign-ins, single-use, expiring after 10 minutes. */
  oauthState: (state: string) => ["oauth_states", state],
  /** Touched by every commit that concerns the user; its versionstamp orders their events. */
  userInbox: (userId: string) => ["user_inbox", userId],
  /** Per process: stamped by each of its inbox commits, so other processes notice them. */
  inboxWriter: (writerId: string) => ["inbox_writers", writerId],
  inboxWriters: () => ["inbox_writers"],
  /** The range of name-index keys starting with a lowercase prefix, for search. */
  userNamesFrom: (prefix: string) => ["users_by_name", prefix.toLowerCase()],
  userNamesBefore: (prefix: string) => [
    "users_by_name",
    // "~" sorts after every character a username may contain.
    `${prefix.toLowerCase()}~`,
  ],
  // Admin tasks (issue 4): whole-collection prefixes and the last-activity marker.
  sessions: () => ["sessions"],
  allUserSessions: () => ["user_sessions"],
  oauthStates: () => ["oauth_states"],
  /** The conversation record (kind, members, creation), and the prefix of all it holds. */
  conversation: (conversationId: string) => ["conversations", conversationId],
  allUserConversations: () => ["user_conversations"],
  // Attachments (issue 14) live under their conversation, so deleting a conversation's
  // prefix removes their bytes too; a group's conversation id works the same way.
  /** An attachment's record: owner, name, type, size, image size, the message using it. */
  attachment: (conversationId: string, attachmentId: string) => [
    "conversations",
    conversationId,
    "attachments",
    attachmentId,
  ],
  /** An attachment's bytes, `part` "file" or "thumb", in chunks of at most 60 KiB. */
  attachmentChunk: (
    conversationId: string,
    attachmentId: string,
    part: "file" | "thumb",
    index: number,
  ) => [
    "conversations",
    conversationId,
    "attachment_chunks",
    attachmentId,
    part,
    index,
  ],
  attachmentChunks: (conversationId: string, attachmentId: string) => [
    "conversations",
    conversationId,
    "attachment_chunks",
    attachmentId,
  ],
  /** Written before the first chunk, removed when a message uses it: what the sweep scans. */
  attachmentUpload: (attachmentId: string) => [
    "attachment_uploads",
    attachmentId,
  ],
  attachmentUploads: () => ["attachment_uploads"],
  /** Bytes a user stores in one conversation's attachment: quota, stats and deletion. */
  userAttachment: (
    userId: string,
    conversationId: string,
    attachmentId: string,
  ) => ["user_attachments", userId, conversationId, attachmentId],
  userConversationAttachments: (userId: string, conversationId: string) => [
    "user_attachments",
    userId,
    conversationId,
  ],
  userAttachments: (userId: string) => ["user_attachments", userId],
  allUserAttachments: () => ["user_attachments"],
  /** Server-side secrets, made on first use (the device-cookie signing key). */
  secret: (name: string) => ["secrets", name],
  secrets: () => ["secrets"],
  /** ISO time of the user's newest sign-in or session touch, kept after logout. */
  userActivity: (userId: string) => ["user_activity", userId],
  /** Groups (issue 13): a pointer per group, for listing and counting them without a scan. */
  group: (groupId: string) => ["groups", groupId],
  groups: () => ["groups"],
  /** Every member's delivered and read seq in a group, one record checked by each move. */
  groupPositions: (groupId: string) => ["conversations", groupId, "positions"],
  /** When a member's delivered or read position moved to `seq` (ISO), for "read by". */
  groupReceiptLog: (
    groupId: string,
    userId: string,
    kind: "delivered" | "read",
    seq: number,
  ) => ["conversations", groupId, "receipt_log", userId, kind, seq],
  groupReceiptLogOf: (
    groupId: string,
    userId: string,
    kind: "delivered" | "read",
  ) => ["conversations", groupId, "receipt_log", userId, kind],
  /** The stored layout's version (see migrations/); absent means 1 if any data exists. */
  schemaVersion: () => ["schema_version"],
  /** Held by the one process running migrations; expires if that process dies. */
  migrationLease: () => ["migration_lease"],
} as const;

/**
 * Keys of the version 1 layout, read and removed only by migrations and by the user
 * cascade (which may run on a database not migrated yet).
 */
export const legacyKeys = {
  /** v1: `["user_conversations", userId, peerId]` → the row, keyed by the peer. */
  userConversation: (userId: string, peerId: string) => [
    "user_conversations",
    userId,
    peerId,
  ],
  /** v1: `["unread", userId, peerId]` → KvU64. */
  unread: (userId: string, peerId: string) => ["unread", userId, peerId],
  unreads: (userId: string) => ["unread", userId],
  allUnreads: () => ["unread"],
} as const;

/** The deterministic id of the conversation between two users, whoever asks. */
export function conversationId(userA: string, userB: string): string {
  return userA < userB ? `${userA}_${userB}` : `${userB}_${userA}`;
}

/** The token hash in a `["user_sessions", userId, tokenHash]` key. */
export function parseUserSessionKey(key: Deno.KvKey): { tokenHash: string } {
  return { tokenHash: String(key[2]) };
}

/** What a key under `["user_conversations", userId, conversationId]` holds. */
export type UserConversationPart =
  | "row"
  | "read"
  | "unread"
  | "delivered"
  | "seen";

const USER_CONVERSATION_PARTS = new Set<string>([
  "row",
  "read",
  "unread",
  "delivered",
  "seen",
]);

/** The ids and the part in a key under `["user_conversations", userId]`. */
export function parseUserConversationKey(
  key: Deno.KvKey,
): { userId: string; conversationId: string; part: UserConversationPart } {
  const part = key.length === 3 ? "row" : String(key[3]);
  if (!USER_CONVERSATION_PARTS.has(part)) {
    throw new Error(`Not a user_conversations key: ${JSON.stringify(key)}`);
  }
  return {
    userId: String(key[1]),
    conversationId: String(key[2]),
    part: part as UserConversationPart,
  };
}
