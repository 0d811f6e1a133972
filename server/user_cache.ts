/**
 * A short-lived, per-process cache of users by name, so a poll with nothing new costs only
 * the session and head reads. Staleness is harmless: a send re-reads and checks both users
 * inside its atomic commit, so a cached user deleted meanwhile never receives a message;
 * a poll for them just finds an empty conversation until the entry expires.
 */
import type { User } from "../lib/db/db.ts";

export interface UserCache {
  /** The cached user for this name (any case), or undefined when absent or expired. */
  get(username: string): User | undefined;
  /** Remembers a user found in KV. */
  set(user: User): void;
}

/** A cache of at most `maxEntries` users, each kept for `ttlMs`. */
export function createUserCache(
  options: { ttlMs: number; maxEntries: number },
): UserCache {
  const entries = new Map<string, { user: User; expiresAt: number }>();
  return {
    get(username) {
      const key = username.toLowerCase();
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.user;
    },
    set(user) {
      const key = user.username.toLowerCase();
      entries.delete(key);
      // Map keeps insertion order: the first key is the oldest entry.
      if (entries.size >= options.maxEntries) {
        entries.delete(entries.keys().next().value!);
      }
      entries.set(key, { user, expiresAt: Date.now() + options.ttlMs });
    },
  };
}
