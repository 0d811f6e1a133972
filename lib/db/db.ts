/**
 * The only module that touches Deno KV. Every key is built by `keys` below; README's
 * "KV key layout" table mirrors it. Writes that touch several keys are one atomic
 * operation with checks, retried on conflict.
 */
import { DomainError } from "../errors.ts";
import type { PasswordHash } from "../passwords.ts";

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

/** A head as long polling tracks it: its seq (0 before the first message) and versionstamp. */
export interface HeadState {
  seq: number;
  versionstamp: string | null;
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

// ---- identities and OAuth state (types) ----

/** How long a pending OAuth sign-in stays valid. */
export const OAUTH_STATE_MAX_AGE_MS = 10 * 60 * 1000;

/** An account at an external sign-in provider, linked to one user. */
export interface UserIdentity {
  provider: string;
  /** The provider's stable id for the account (GitHub's numeric id, OIDC `sub`). */
  subject: string;
  linkedAt: string;
  /** The provider's login or name when linked, shown on the account page. */
  login?: string;
}

/** A pending OAuth sign-in, stored under its `state` until the callback consumes it. */
export interface OAuthState {
  provider: string;
  /** SHA-256 of the random value in the browser's state cookie: binds the state to it. */
  bindingHash: string;
  codeVerifier: string;
  nonce?: string;
  /** The exact redirect URI sent to the provider; the token request must repeat it. */
  redirectUri: string;
  /** A same-site path to land on afterwards. */
  next?: string;
  /** Set when a signed-in user links the provider instead of signing in. */
  linkUserId?: string;
  createdAt: string;
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
  // Admin tasks (issue 4): whole-collection prefixes and the last-activity marker.
  sessions: () => ["sessions"],
  allUserSessions: () => ["user_sessions"],
  oauthStates: () => ["oauth_states"],
  conversation: (conversationId: string) => ["conversations", conversationId],
  allUserConversations: () => ["user_conversations"],
  /** ISO time of the user's newest sign-in or session touch, kept after logout. */
  userActivity: (userId: string) => ["user_activity", userId],
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

  /** One cheap read (a key that never holds a value), for health checks. */
  async ping(): Promise<void> {
    await this.kv.get(keys.users());
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
      throw new DomainError(
        "conflict",
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
        throw new DomainError("not_found", "user_not_found", "No such user");
      }
      const result = await commitWithRetry(
        this.kv.atomic().check(entry).set(keys.user(userId), {
          ...entry.value,
          password,
        }),
      );
      if (result.ok) return;
    }
    throw new DomainError("busy", "busy", "Cannot change password: try again");
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
        .set(keys.userSession(session.userId, tokenHash), true, { expireIn })
        .set(keys.userActivity(session.userId), session.lastSeenAt),
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

  // ---- identities and OAuth state ----

  /** Stores a pending OAuth sign-in under its state value; KV drops it after 10 minutes. */
  async saveOAuthState(state: string, record: OAuthState): Promise<void> {
    const key = keys.oauthState(state);
    const result = await commitWithRetry(
      this.kv.atomic()
        .check({ key, versionstamp: null })
        .set(key, record, { expireIn: OAUTH_STATE_MAX_AGE_MS }),
    );
    if (!result.ok) {
      throw new DomainError(
        "internal",
        "state_collision",
        "Cannot start sign-in",
      );
    }
  }

  /**
   * Takes a pending OAuth sign-in out of KV. The versionstamp check makes it single-use
   * even under concurrent callbacks; null when unknown, already used or expired.
   */
  async consumeOAuthState(
    state: string,
    now = new Date(),
  ): Promise<OAuthState | null> {
    const key = keys.oauthState(state);
    const entry = await this.kv.get<OAuthState>(key);
    if (!entry.value) return null;
    const result = await commitWithRetry(
      this.kv.atomic().check(entry).delete(key),
    );
    if (!result.ok) return null;
    // KV expiry is lazy, so the age is checked here too.
    const age = now.getTime() - Date.parse(entry.value.createdAt);
    return age <= OAUTH_STATE_MAX_AGE_MS ? entry.value : null;
  }

  /** The id of the user an external identity belongs to, or null. */
  async getUserIdByIdentity(
    provider: string,
    subject: string,
  ): Promise<string | null> {
    return (await this.kv.get<string>(keys.identity(provider, subject))).value;
  }

  /** The external identities linked to a user, ordered by provider. */
  async listUserIdentities(userId: string): Promise<UserIdentity[]> {
    const identities: UserIdentity[] = [];
    for await (
      const entry of this.kv.list<UserIdentity>({
        prefix: keys.userIdentities(userId),
      })
    ) {
      identities.push(entry.value);
    }
    return identities;
  }

  /**
   * Creates a user who signs in with an external identity: the user, the name index and
   * both identity keys in one atomic commit that checks the identity and name are free.
   * Says which check failed instead of throwing, so the caller can try another name.
   */
  async createUserWithIdentity(
    input: {
      username: string;
      identity: Pick<UserIdentity, "provider" | "subject" | "login">;
      now?: Date;
    },
  ): Promise<
    | { ok: true; user: User }
    | { ok: false; reason: "identity_taken" | "username_taken" }
  > {
    const now = (input.now ?? new Date()).toISOString();
    const { provider, subject } = input.identity;
    const user: User = {
      id: crypto.randomUUID(),
      username: input.username,
      createdAt: now,
    };
    const identity: UserIdentity = {
      provider,
      subject,
      linkedAt: now,
      ...(input.identity.login ? { login: input.identity.login } : {}),
    };
    const nameKey = keys.userByName(user.username);
    const identityKey = keys.identity(provider, subject);
    const result = await commitWithRetry(
      this.kv.atomic()
        .check({ key: identityKey, versionstamp: null })
        .check({ key: nameKey, versionstamp: null })
        .set(keys.user(user.id), user)
        .set(nameKey, user.id)
        .set(identityKey, user.id)
        .set(keys.userIdentity(user.id, provider), identity),
    );
    if (result.ok) return { ok: true, user };
    const taken = await this.kv.get(identityKey);
    return {
      ok: false,
      reason: taken.value ? "identity_taken" : "username_taken",
    };
  }

  /**
   * Links an external identity to an existing user. Refuses an identity that belongs to
   * another account, and a second identity at a provider the user already has linked.
   */
  async linkIdentity(
    userId: string,
    input: Pick<UserIdentity, "provider" | "subject" | "login">,
    now = new Date(),
  ): Promise<void> {
    const identityKey = keys.identity(input.provider, input.subject);
    const linkKey = keys.userIdentity(userId, input.provider);
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const [user, owner, link] = await this.kv.getMany<
        [User, string, UserIdentity]
      >([keys.user(userId), identityKey, linkKey]);
      if (!user.value) {
        throw new DomainError("not_found", "user_not_found", "No such user");
      }
      if (owner.value === userId) return;
      if (owner.value) {
        throw new DomainError(
          "conflict",
          "identity_taken",
          "Cannot link: that account is already linked to another Natter user",
        );
      }
      if (link.value) {
        throw new DomainError(
          "conflict",
          "provider_already_linked",
          "Cannot link: another account at this provider is already linked; unlink it first",
        );
      }
      const identity: UserIdentity = {
        provider: input.provider,
        subject: input.subject,
        linkedAt: now.toISOString(),
        ...(input.login ? { login: input.login } : {}),
      };
      const result = await commitWithRetry(
        this.kv.atomic()
          .check(user, owner, link)
          .set(identityKey, userId)
          .set(linkKey, identity),
      );
      if (result.ok) return;
      await backoff(attempt);
    }
    throw new DomainError("busy", "busy", "Cannot link: try again");
  }

  /**
   * Unlinks a provider from a user, refusing when it is their last way to sign in (no
   * password and no other provider). All of the user's links are checked in the commit,
   * so two concurrent unlinks cannot both succeed and lock the user out.
   */
  async unlinkIdentity(userId: string, provider: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const user = await this.kv.get<User>(keys.user(userId));
      if (!user.value) {
        throw new DomainError("not_found", "user_not_found", "No such user");
      }
      const links: Deno.KvEntry<UserIdentity>[] = [];
      for await (
        const entry of this.kv.list<UserIdentity>({
          prefix: keys.userIdentities(userId),
        })
      ) {
        links.push(entry);
      }
      const link = links.find((entry) => entry.value.provider === provider);
      if (!link) {
        throw new DomainError(
          "not_found",
          "not_linked",
          "Cannot unlink: this provider is not linked to your account",
        );
      }
      if (!user.value.password && links.length === 1) {
        throw new DomainError(
          "conflict",
          "last_sign_in_method",
          "Cannot unlink: it is your only way to sign in. Link another provider first.",
        );
      }
      const result = await commitWithRetry(
        this.kv.atomic()
          .check(user, ...links)
          .delete(link.key)
          .delete(keys.identity(provider, link.value.subject)),
      );
      if (result.ok) return;
      await backoff(attempt);
    }
    throw new DomainError("busy", "busy", "Cannot unlink: try again");
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
      // One round trip. Without a clientId the second read is the head again. Both users
      // are read so the commit can check they still exist: once a delete has removed
      // either, no message can land in their conversation.
      const [head, client, sender, receiver] = await this.kv.getMany<
        [ConversationHead, number, User, User]
      >([
        headKey,
        clientKey ?? headKey,
        keys.user(input.from.id),
        keys.user(input.to.id),
      ]);
      if (!sender.value || !receiver.value) {
        throw new DomainError(
          "not_found",
          "user_not_found",
          "Cannot send message: that user no longer exists",
        );
      }
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
        .check(head, sender, receiver)
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
    throw new DomainError(
      "busy",
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

  /**
   * Streams a conversation's head: its current state at once, then each change. On a local
   * SQLite file only this process's writes show up here (see `getConversationHeadStates`).
   */
  watchConversationHead(cid: string): ReadableStream<HeadState> {
    return this.kv.watch<[ConversationHead]>([keys.conversationHead(cid)])
      .pipeThrough(
        new TransformStream<[Deno.KvEntryMaybe<ConversationHead>], HeadState>({
          transform: ([entry], out) => out.enqueue(toHeadState(entry)),
        }),
      );
  }

  /**
   * Reads several heads, ten keys per read (KV's getMany limit). Long polling re-reads
   * watched heads with this, because kv.watch on a local SQLite file never sees another
   * process's writes.
   */
  async getConversationHeadStates(cids: string[]): Promise<HeadState[]> {
    const states: HeadState[] = [];
    for (let i = 0; i < cids.length; i += 10) {
      const entries = await this.kv.getMany<ConversationHead[]>(
        cids.slice(i, i + 10).map((cid) => keys.conversationHead(cid)),
      );
      states.push(...entries.map(toHeadState));
    }
    return states;
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

  // ---- admin ----
  // Verbs for `deno task admin` (tasks/admin/). They work on a KV the server may be using
  // at the same time, so bulk writes are split into atomic batches well under KV's limit of
  // 1000 mutations, and the user cascade re-scans until nothing of the user is left.

  /** True when the KV holds no key at all (import refuses anything else without --merge). */
  async isEmpty(): Promise<boolean> {
    for await (const _ of this.kv.list({ prefix: [] }, { limit: 1 })) {
      return false;
    }
    return true;
  }

  /** Every user with last activity and the count of messages they sent, ordered by name. */
  async listUserActivity(): Promise<UserActivity[]> {
    const rows: UserActivity[] = [];
    for (const user of await this.listUsers()) {
      const [activity, sent] = await this.kv.getMany<[string, Deno.KvU64]>([
        keys.userActivity(user.id),
        keys.sentCount(user.id),
      ]);
      let lastActiveAt = activity.value;
      // Sessions from before `user_activity` existed still tell when someone was last seen.
      for await (
        const entry of this.kv.list({ prefix: keys.userSessions(user.id) })
      ) {
        const session = (await this.kv.get<Session>(
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

  /** Counts users, conversations, messages and live sessions. */
  async countAll(now = new Date()): Promise<AdminStats> {
    const stats: AdminStats = {
      users: 0,
      conversations: 0,
      messages: 0,
      sessions: 0,
    };
    for await (const _ of this.kv.list({ prefix: keys.users() })) {
      stats.users++;
    }
    // Each conversation has a row in both members' indexes: count it once, via the
    // smaller id, and read its head (whose seq is its message count) in batches of 10.
    let heads: Deno.KvKey[] = [];
    const addHeads = async () => {
      for (const head of await this.kv.getMany<ConversationHead[]>(heads)) {
        stats.messages += head.value?.seq ?? 0;
      }
      heads = [];
    };
    for await (
      const entry of this.kv.list({ prefix: keys.allUserConversations() })
    ) {
      const [userId, peerId] = [String(entry.key[1]), String(entry.key[2])];
      if (userId > peerId) continue;
      stats.conversations++;
      heads.push(keys.conversationHead(conversationId(userId, peerId)));
      if (heads.length === 10) await addHeads();
    }
    if (heads.length > 0) await addHeads();
    for await (
      const entry of this.kv.list<Session>({ prefix: keys.sessions() })
    ) {
      // KV expiry is lazy: a session past its age is dead even if still stored.
      const idle = now.getTime() - Date.parse(entry.value.lastSeenAt);
      if (idle <= SESSION_MAX_AGE_MS) stats.sessions++;
    }
    return stats;
  }

  /**
   * Removes a user and everything that mentions them: sessions, sign-in identities, every
   * conversation with them (messages, head, client ids), both members' index rows and
   * unread counters, and their counters. A peer's "messages sent" drops by the messages of
   * theirs that were deleted, so it keeps counting messages that exist. The user record
   * goes last, so an interrupted run can be repeated; the scan repeats until a pass finds
   * nothing, which also catches messages or sessions written while it ran.
   */
  async deleteUserCascade(userId: string): Promise<DeleteUserResult> {
    const result: DeleteUserResult = {
      conversations: 0,
      messages: 0,
      sessions: 0,
    };
    for (let pass = 0; pass < MAX_DELETE_PASSES; pass++) {
      let removed = 0;
      const sessions = await this.deleteUserSessions(userId);
      result.sessions += sessions;
      removed += sessions;
      for await (
        const row of this.kv.list({ prefix: keys.userConversations(userId) })
      ) {
        const peerId = String(row.key[2]);
        const messages = await this.deleteConversationWith(userId, peerId);
        result.conversations++;
        result.messages += messages;
        removed++;
      }
      removed += await this.deleteUserIdentities(userId);
      const leftovers = [
        ...await this.listKeys(keys.unreads(userId)),
        keys.userActivity(userId),
        keys.sentCount(userId),
      ];
      removed += await this.deleteKeys(leftovers);
      const user = await this.kv.get<User>(keys.user(userId));
      if (user.value) {
        const nameKey = keys.userByName(user.value.username);
        const pointer = await this.kv.get<string>(nameKey);
        const op = this.kv.atomic().check(user).delete(keys.user(userId));
        if (pointer.value === userId) op.check(pointer).delete(nameKey);
        await commitWithRetry(op);
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
  private async deleteConversationWith(
    userId: string,
    peerId: string,
  ): Promise<number> {
    const cid = conversationId(userId, peerId);
    let messages = 0;
    let batch: Deno.KvKey[] = [];
    let fromPeer = 0;
    const flush = async () => {
      await this.deleteAndLowerSentCount(batch, peerId, fromPeer);
      batch = [];
      fromPeer = 0;
    };
    for await (
      const entry of this.kv.list<Message>({ prefix: keys.conversation(cid) }, {
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
    // The index rows go after the messages, so a repeated run still finds the conversation.
    await this.deleteKeys([
      keys.userConversation(userId, peerId),
      keys.userConversation(peerId, userId),
      keys.unread(userId, peerId),
      keys.unread(peerId, userId),
    ]);
    return messages;
  }

  /** Deletes keys and lowers `peerId`'s sent count by `fromPeer` in one checked commit. */
  private async deleteAndLowerSentCount(
    batch: Deno.KvKey[],
    peerId: string,
    fromPeer: number,
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const op = this.kv.atomic();
      for (const key of batch) op.delete(key);
      if (fromPeer > 0) {
        const count = await this.kv.get<Deno.KvU64>(keys.sentCount(peerId));
        const current = count.value?.value ?? 0n;
        const lowered = current > BigInt(fromPeer)
          ? current - BigInt(fromPeer)
          : 0n;
        op.check(count).set(keys.sentCount(peerId), new Deno.KvU64(lowered));
      }
      // A conflict means the peer sent a message meanwhile: re-read their count.
      if ((await commitWithRetry(op)).ok) return;
      await backoff(attempt);
    }
    throw new DomainError("busy", "busy", "Cannot delete user: try again");
  }

  /** Deletes a user's linked sign-in identities; returns how many keys went. */
  private async deleteUserIdentities(userId: string): Promise<number> {
    const doomed: Deno.KvKey[] = [];
    for await (
      const row of this.kv.list<{ provider?: string; subject?: string }>({
        prefix: keys.userIdentities(userId),
      })
    ) {
      doomed.push(row.key);
      const provider = row.value?.provider ?? String(row.key[2]);
      if (typeof row.value?.subject !== "string") continue;
      const identityKey = keys.identity(provider, row.value.subject);
      const owner = identityOwner(
        (await this.kv.get(identityKey)).value,
      );
      // Never unlink an identity that has since been linked to someone else.
      if (owner === undefined || owner === userId) doomed.push(identityKey);
    }
    return await this.deleteKeys(doomed);
  }

  private async listKeys(prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
    const found: Deno.KvKey[] = [];
    for await (const entry of this.kv.list({ prefix })) found.push(entry.key);
    return found;
  }

  /** Deletes the keys that exist, in batches; returns how many existed. */
  private async deleteKeys(candidates: Deno.KvKey[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < candidates.length; i += 10) {
      const entries = await this.kv.getMany(candidates.slice(i, i + 10));
      const present = entries.filter((entry) => entry.versionstamp !== null);
      if (present.length === 0) continue;
      const op = this.kv.atomic();
      for (const entry of present) op.delete(entry.key);
      await commitWithRetry(op);
      deleted += present.length;
    }
    return deleted;
  }

  /**
   * Every entry worth backing up, in KV key order (deterministic). Sessions and pending
   * OAuth states are left out: they are short-lived, tied to cookies, and cannot carry
   * their expiry through a list.
   */
  async *exportEntries(): AsyncGenerator<Deno.KvEntry<unknown>> {
    const skipped = new Set(
      [keys.sessions(), keys.allUserSessions(), keys.oauthStates()].map((k) =>
        k[0]
      ),
    );
    for await (
      const entry of this.kv.list({ prefix: [] }, { batchSize: ADMIN_BATCH })
    ) {
      if (!skipped.has(entry.key[0] as string)) yield entry;
    }
  }

  /** Writes imported entries in one atomic commit (callers keep batches under KV's limits). */
  async importBatch(
    entries: Array<{ key: Deno.KvKey; value: unknown }>,
  ): Promise<void> {
    const op = this.kv.atomic();
    for (const entry of entries) op.set(entry.key, entry.value);
    const result = await commitWithRetry(op);
    if (!result.ok) {
      throw new DomainError("busy", "busy", "Cannot import: try again");
    }
  }
}

// ---- admin (types) ----

/** Deletes and imports go in atomic batches of this many mutations (KV allows 1000). */
const ADMIN_BATCH = 500;
/** How often the user cascade re-scans before giving up on a user who keeps getting data. */
const MAX_DELETE_PASSES = 10;

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
  messages: number;
  sessions: number;
}

/** What deleting a user removed. */
export interface DeleteUserResult {
  conversations: number;
  messages: number;
  sessions: number;
}

/** The user id an `identities` value points to (a bare id, or an object with `userId`). */
function identityOwner(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && "userId" in value) {
    return String(value.userId);
  }
  return undefined;
}

// ---- messages (helpers) ----

function toHeadState(entry: Deno.KvEntryMaybe<ConversationHead>): HeadState {
  return { seq: entry.value?.seq ?? 0, versionstamp: entry.versionstamp };
}
