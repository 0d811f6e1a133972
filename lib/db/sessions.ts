/** Sessions: only a hash of the token is ever stored, with a per-user index for logout-everywhere. */
import { keys, parseUserSessionKey } from "./keys.ts";
import { commit } from "./kv.ts";
import type { User } from "./users.ts";

export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** Sessions are re-written (sliding expiry) at most this often, to keep reads cheap. */
const SESSION_TOUCH_INTERVAL_MS = 60 * 60 * 1000;
/** KV allows at most 1000 mutations per atomic operation; each session is two deletes. */
const DELETE_BATCH = 400;

export interface Session {
  userId: string;
  username: string;
  createdAt: string;
  lastSeenAt: string;
  /**
   * When the person last proved who they are in this session (password or provider).
   * Optional: sessions stored before it existed count from `createdAt`, their login.
   */
  reauthenticatedAt?: string;
}

/** When `session`'s owner last proved who they are: a re-authentication, else the login. */
export function authenticatedAt(session: Session): string {
  return session.reauthenticatedAt ?? session.createdAt;
}

/** Stores a new session under the hash of its token. */
export async function createSession(
  kv: Deno.Kv,
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
  await writeSession(kv, tokenHash, session);
  return session;
}

async function writeSession(kv: Deno.Kv, tokenHash: string, session: Session) {
  const expireIn = SESSION_MAX_AGE_MS;
  await commit(
    kv.atomic()
      .set(keys.session(tokenHash), session, { expireIn })
      .set(keys.userSession(session.userId, tokenHash), true, { expireIn })
      .set(keys.userActivity(session.userId), session.lastSeenAt),
  );
}

/**
 * Returns the live session for a token hash, or null. KV expiry is lazy, so the age is
 * checked here too; the expiry slides forward at most once an hour.
 */
export async function validateSession(
  kv: Deno.Kv,
  tokenHash: string,
  now = new Date(),
): Promise<Session | null> {
  const session = (await kv.get<Session>(keys.session(tokenHash))).value;
  if (!session) return null;
  const idle = now.getTime() - Date.parse(session.lastSeenAt);
  if (idle > SESSION_MAX_AGE_MS) {
    await deleteSession(kv, tokenHash);
    return null;
  }
  if (idle > SESSION_TOUCH_INTERVAL_MS) {
    const touched = { ...session, lastSeenAt: now.toISOString() };
    await writeSession(kv, tokenHash, touched);
    return touched;
  }
  return session;
}

/** Records that the session's owner just re-entered their password; false if the session is gone. */
export async function markReauthenticated(
  kv: Deno.Kv,
  tokenHash: string,
  now = new Date(),
): Promise<boolean> {
  const session = (await kv.get<Session>(keys.session(tokenHash))).value;
  if (!session) return false;
  await writeSession(kv, tokenHash, {
    ...session,
    lastSeenAt: now.toISOString(),
    reauthenticatedAt: now.toISOString(),
  });
  return true;
}

/** Deletes one session (logout). */
export async function deleteSession(
  kv: Deno.Kv,
  tokenHash: string,
): Promise<void> {
  const entry = await kv.get<Session>(keys.session(tokenHash));
  const op = kv.atomic().delete(keys.session(tokenHash));
  if (entry.value) op.delete(keys.userSession(entry.value.userId, tokenHash));
  await commit(op);
}

/** Deletes every session of a user (log out everywhere); returns how many. */
export async function deleteUserSessions(
  kv: Deno.Kv,
  userId: string,
): Promise<number> {
  let count = 0;
  let op = kv.atomic();
  let pending = 0;
  for await (const entry of kv.list({ prefix: keys.userSessions(userId) })) {
    const { tokenHash } = parseUserSessionKey(entry.key);
    op.delete(keys.session(tokenHash)).delete(entry.key);
    count++;
    if (++pending === DELETE_BATCH) {
      await commit(op);
      op = kv.atomic();
      pending = 0;
    }
  }
  if (pending > 0) await commit(op);
  return count;
}
