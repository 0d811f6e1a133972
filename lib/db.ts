/**
 * The only module that touches Deno KV. Every key is built by `keys` below; README's
 * "KV key layout" table mirrors it. Writes that touch several keys are one atomic
 * operation with checks, retried on conflict.
 */
import { AppError } from "./errors.ts";
import type { PasswordHash } from "./passwords.ts";

export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** Sessions are re-written (sliding expiry) at most this often, to keep reads cheap. */
const SESSION_TOUCH_INTERVAL_MS = 60 * 60 * 1000;
const PREVIEW_LENGTH = 120;
/** Bounded retries for optimistic-concurrency conflicts and SQLite's "database is locked". */
const MAX_COMMIT_ATTEMPTS = 40;

export interface User {
  id: string;
  /** As typed at registration; lookups use the lowercase form. */
  username: string;
  createdAt: string;
  password?: PasswordHash;
}

export interface Session {
  userId: string;
  username: string;
  createdAt: string;
  lastSeenAt: string;
}

export interface Message {
  id: string;
  /** Position in the conversation, 1-based, gap-free. */
  seq: number;
  from: string;
  to: string;
  text: string;
  sentAt: string;
  clientId?: string;
}

export interface ConversationHead {
  seq: number;
  lastMessageAt: string;
}

/** One row of a user's conversation index (a per-user view of the latest message). */
export interface ConversationSummary {
  peerId: string;
  conversationId: string;
  lastSeq: number;
  lastMessageAt: string;
  lastFromId: string;
  preview: string;
}

/** Every KV key the app uses, built in one place. */
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
  userConversation: (userId: string, peerId: string) => [
    "user_conversations",
    userId,
    peerId,
  ],
  userConversations: (userId: string) => ["user_conversations", userId],
  unread: (userId: string, peerId: string) => ["unread", userId, peerId],
  unreads: (userId: string) => ["unread", userId],
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
} as const;

/** The deterministic id of the conversation between two users, whoever asks. */
export function conversationId(userA: string, userB: string): string {
  return userA < userB ? `${userA}_${userB}` : `${userB}_${userA}`;
}

function isLockedError(error: unknown): boolean {
  return error instanceof Error && /database is locked/i.test(error.message);
}

/** Jittered exponential backoff, capped at ~50 ms per wait. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.min(50, 2 ** Math.min(attempt, 6)) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Commits an atomic operation, retrying SQLite's "database is locked" (seen when several
 * processes share one KV file). Returns the commit result so callers can handle conflicts.
 */
async function commitWithRetry(
  op: Deno.AtomicOperation,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  for (let attempt = 0;; attempt++) {
    try {
      return await op.commit();
    } catch (error) {
      if (!isLockedError(error) || attempt >= MAX_COMMIT_ATTEMPTS) throw error;
      await backoff(attempt);
    }
  }
}

/** Typed verbs over one Deno KV database. */
export class Db {
  constructor(readonly kv: Deno.Kv) {}

  /** Opens KV at a path (`:memory:`, a file, a URL) or the platform default. */
  static async open(path?: string): Promise<Db> {
    return new Db(await Deno.openKv(path));
  }

  /** Closes the underlying KV handle. */
  close(): void {
    this.kv.close();
  }

  // ---- users ----

  /** Creates a user; the lowercase name index is written in the same atomic commit. */
  async createUser(
    input: { username: string; password?: PasswordHash; now?: Date },
  ): Promise<User> {
    const user: User = {
      id: crypto.randomUUID(),
      username: input.username,
      createdAt: (input.now ?? new Date()).toISOString(),
      ...(input.password ? { password: input.password } : {}),
    };
    const nameKey = keys.userByName(user.username);
    const result = await commitWithRetry(
      this.kv.atomic()
        .check({ key: nameKey, versionstamp: null })
        .set(keys.user(user.id), user)
        .set(nameKey, user.id),
    );
    if (!result.ok) {
      throw new AppError(
        409,
        "username_taken",
        `Username "${user.username}" is already taken`,
        { field: "username" },
      );
    }
    return user;
  }

  /** Returns the user with this id, or null. */
  async getUser(id: string): Promise<User | null> {
    return (await this.kv.get<User>(keys.user(id))).value;
  }

  /** Returns the user with this name (any case), or null. */
  async getUserByName(username: string): Promise<User | null> {
    const pointer = await this.kv.get<string>(keys.userByName(username));
    return pointer.value ? await this.getUser(pointer.value) : null;
  }

  /** Replaces a user's password hash. */
  async setPassword(userId: string, password: PasswordHash): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const entry = await this.kv.get<User>(keys.user(userId));
      if (!entry.value) {
        throw new AppError(404, "user_not_found", "No such user");
      }
      const result = await commitWithRetry(
        this.kv.atomic().check(entry).set(keys.user(userId), {
          ...entry.value,
          password,
        }),
      );
      if (result.ok) return;
    }
    throw new AppError(503, "busy", "Cannot change password: try again");
  }

  /** Lists every user, ordered by id (callers sort for display). */
  async listUsers(): Promise<User[]> {
    const users: User[] = [];
    for await (const entry of this.kv.list<User>({ prefix: keys.users() })) {
      users.push(entry.value);
    }
    return users;
  }

  // ---- sessions (only a hash of the token is ever stored) ----

  /** Stores a new session under the hash of its token. */
  async createSession(
    tokenHash: string,
    user: Pick<User, "id" | "username">,
    now = new Date(),
  ): Promise<Session> {
    const session: Session = {
      userId: user.id,
      username: user.username,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
    };
    await this.writeSession(tokenHash, session);
    return session;
  }

  private async writeSession(tokenHash: string, session: Session) {
    const expireIn = SESSION_MAX_AGE_MS;
    await commitWithRetry(
      this.kv.atomic()
        .set(keys.session(tokenHash), session, { expireIn })
        .set(keys.userSession(session.userId, tokenHash), true, { expireIn }),
    );
  }

  /**
   * Returns the live session for a token hash, or null. KV expiry is lazy, so the age is
   * checked here too; the expiry slides forward at most once an hour.
   */
  async validateSession(
    tokenHash: string,
    now = new Date(),
  ): Promise<Session | null> {
    const session = (await this.kv.get<Session>(keys.session(tokenHash))).value;
    if (!session) return null;
    const idle = now.getTime() - Date.parse(session.lastSeenAt);
    if (idle > SESSION_MAX_AGE_MS) {
      await this.deleteSession(tokenHash);
      return null;
    }
    if (idle > SESSION_TOUCH_INTERVAL_MS) {
      const touched = { ...session, lastSeenAt: now.toISOString() };
      await this.writeSession(tokenHash, touched);
      return touched;
    }
    return session;
  }

  /** Deletes one session (logout). */
  async deleteSession(tokenHash: string): Promise<void> {
    const entry = await this.kv.get<Session>(keys.session(tokenHash));
    const op = this.kv.atomic().delete(keys.session(tokenHash));
    if (entry.value) op.delete(keys.userSession(entry.value.userId, tokenHash));
    await commitWithRetry(op);
  }

  /** Deletes every session of a user (log out everywhere); returns how many. */
  async deleteUserSessions(userId: string): Promise<number> {
    let count = 0;
    let op = this.kv.atomic();
    let pending = 0;
    for await (
      const entry of this.kv.list({ prefix: keys.userSessions(userId) })
    ) {
      const tokenHash = String(entry.key[2]);
      op.delete(keys.session(tokenHash)).delete(entry.key);
      count++;
      // KV allows at most 1000 mutations per atomic operation.
      if (++pending === 400) {
        await commitWithRetry(op);
        op = this.kv.atomic();
        pending = 0;
      }
    }
    if (pending > 0) await commitWithRetry(op);
    return count;
  }

  // ---- messages ----

  /**
   * Appends a message to the conversation in one atomic commit. The head's versionstamp
   * check gives a gap-free total order across concurrent senders and processes. A repeated
   * `clientId` from the same sender returns the stored message instead of a duplicate.
   */
  async sendMessage(
    input: {
      from: Pick<User, "id">;
      to: Pick<User, "id">;
      text: string;
      clientId?: string;
      now?: Date;
    },
  ): Promise<{ message: Message; created: boolean }> {
    const cid = conversationId(input.from.id, input.to.id);
    const headKey = keys.conversationHead(cid);
    const clientKey = input.clientId
      ? keys.clientMessage(cid, input.from.id, input.clientId)
      : null;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      // Without a clientId the second read is the head again: one round trip either way.
      const [head, client] = await this.kv.getMany<[ConversationHead, number]>(
        [headKey, clientKey ?? headKey],
      );
      if (clientKey && client.value) {
        const stored = await this.kv.get<Message>(
          keys.message(cid, client.value),
        );
        if (stored.value) return { message: stored.value, created: false };
      }
      const seq = (head.value?.seq ?? 0) + 1;
      const sentAt = (input.now ?? new Date()).toISOString();
      const message: Message = {
        id: crypto.randomUUID(),
        seq,
        from: input.from.id,
        to: input.to.id,
        text: input.text,
        sentAt,
        ...(input.clientId ? { clientId: input.clientId } : {}),
      };
      const summary = {
        conversationId: cid,
        lastSeq: seq,
        lastMessageAt: sentAt,
        lastFromId: input.from.id,
        preview: input.text.slice(0, PREVIEW_LENGTH),
      };
      const op = this.kv.atomic()
        .check(head)
        .set(headKey, { seq, lastMessageAt: sentAt } satisfies ConversationHead)
        .set(keys.message(cid, seq), message)
        .set(
          keys.userConversation(input.from.id, input.to.id),
          {
            ...summary,
            peerId: input.to.id,
          } satisfies ConversationSummary,
        )
        .set(
          keys.userConversation(input.to.id, input.from.id),
          {
            ...summary,
            peerId: input.from.id,
          } satisfies ConversationSummary,
        )
        .sum(keys.unread(input.to.id, input.from.id), 1n)
        .sum(keys.sentCount(input.from.id), 1n);
      if (clientKey) {
        op.check({ key: clientKey, versionstamp: null }).set(clientKey, seq);
      }
      const result = await commitWithRetry(op);
      if (result.ok) return { message, created: true };
      await backoff(attempt);
    }
    throw new AppError(
      503,
      "busy",
      "Cannot send message: the conversation is too busy, try again",
    );
  }

  /**
   * Lists messages oldest first: those after `afterSeq` if given, else the newest `limit`.
   * Costs one range read, whatever the length of the history.
   */
  async listMessages(
    cid: string,
    options: { afterSeq?: number; limit: number },
  ): Promise<Message[]> {
    const messages: Message[] = [];
    if (options.afterSeq !== undefined) {
      const iter = this.kv.list<Message>({
        prefix: keys.messages(cid),
        start: keys.message(cid, options.afterSeq + 1),
      }, { limit: options.limit });
      for await (const entry of iter) messages.push(entry.value);
      return messages;
    }
    const iter = this.kv.list<Message>({ prefix: keys.messages(cid) }, {
      limit: options.limit,
      reverse: true,
    });
    for await (const entry of iter) messages.push(entry.value);
    return messages.reverse();
  }

  /** Returns the conversation's head (latest seq), or null before its first message. */
  async getConversationHead(cid: string): Promise<ConversationHead | null> {
    return (await this.kv.get<ConversationHead>(keys.conversationHead(cid)))
      .value;
  }

  /** Lists a user's conversations, most recent first, with unread counts. */
  async listConversations(
    userId: string,
  ): Promise<Array<ConversationSummary & { unread: number }>> {
    const unread = new Map<string, number>();
    for await (
      const entry of this.kv.list<Deno.KvU64>({ prefix: keys.unreads(userId) })
    ) {
      unread.set(String(entry.key[2]), Number(entry.value.value));
    }
    const rows: Array<ConversationSummary & { unread: number }> = [];
    for await (
      const entry of this.kv.list<ConversationSummary>({
        prefix: keys.userConversations(userId),
      })
    ) {
      rows.push({
        ...entry.value,
        unread: unread.get(entry.value.peerId) ?? 0,
      });
    }
    return rows.sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
  }

  /**
   * Clears a user's unread count for one peer. The versionstamp check means a message
   * counted concurrently is not lost: the reset is skipped and the next read retries.
   */
  async markRead(userId: string, peerId: string): Promise<void> {
    const entry = await this.kv.get<Deno.KvU64>(keys.unread(userId, peerId));
    if (!entry.value || entry.value.value === 0n) return;
    await commitWithRetry(
      this.kv.atomic().check(entry).set(
        keys.unread(userId, peerId),
        new Deno.KvU64(0n),
      ),
    );
  }
}
