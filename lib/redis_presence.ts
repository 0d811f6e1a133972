/**
 * Presence in Redis for RedisBus (lib/redis_bus.ts): who is online across every process,
 * and when each user was last seen. Keys (README, "Scaling out"):
 * - `natter:online:<userId>`: set by a request, expires 30 s later;
 * - hash `natter:holds:<userId>`: process id → "held until" (epoch ms), refreshed every
 *   heartbeat by the holding process, the field deleted on release, the key expiring 30 s
 *   after the last heartbeat (so a crashed process's users go offline by themselves);
 * - `natter:seen:<userId>`: last moment seen online (epoch ms), kept 30 days.
 * While Redis is away, this process's own view (LocalBus) answers.
 */
import type { Redis } from "ioredis";
import {
  type LocalBus,
  ONLINE_AFTER_REQUEST_MS,
  type PresenceState,
} from "./bus.ts";

/** A held user's entry outlives its last heartbeat by this long. */
const HOLD_TTL_MS = 30_000;
const LAST_SEEN_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Repeated requests of one user refresh Redis at most this often. */
const TOUCH_REFRESH_MS = 2_000;
/**
 * A released hold leaves Redis this much later, unless a new hold comes first: a long
 * poll answered is followed by the client's next one within milliseconds, and writing
 * "gone" and "back" for each would be two Redis transactions per delivery. Nobody sees the
 * delay: the request that opened the poll keeps the user online for the online window.
 */
const RELEASE_DELAY_MS = 1_000;

const keys = {
  online: (userId: string) => `natter:online:${userId}`,
  holds: (userId: string) => `natter:holds:${userId}`,
  seen: (userId: string) => `natter:seen:${userId}`,
};

export class RedisPresence {
  #held = new Map<string, number>();
  /** Users released here whose Redis hold is not yet deleted, with when they left. */
  #leaving = new Map<string, number>();
  #leaveTimer: ReturnType<typeof setTimeout> | undefined;
  #touched = new Map<string, number>();

  readonly #onlineMs: number;
  readonly #touchRefreshMs: number;
  readonly #releaseDelayMs: number;

  /** `client()` is the command connection when it is ready, else null. */
  constructor(
    readonly processId: string,
    readonly local: LocalBus,
    readonly client: () => Redis | null,
    onlineMs = ONLINE_AFTER_REQUEST_MS,
  ) {
    this.#onlineMs = onlineMs;
    // Well inside the window, so a user making requests never lapses between refreshes.
    this.#touchRefreshMs = Math.min(TOUCH_REFRESH_MS, onlineMs / 4);
    this.#releaseDelayMs = Math.min(RELEASE_DELAY_MS, onlineMs / 4);
  }

  touch(userId: string): void {
    this.local.touch(userId);
    const now = Date.now();
    if (now - (this.#touched.get(userId) ?? 0) < this.#touchRefreshMs) return;
    const redis = this.client();
    if (!redis) return;
    this.#touched.set(userId, now);
    redis.multi()
      .set(keys.online(userId), String(now), "PX", this.#onlineMs)
      .set(keys.seen(userId), String(now), "EX", LAST_SEEN_TTL_SECONDS)
      .exec().catch(() => {});
  }

  hold(userId: string): () => void {
    const release = this.local.hold(userId);
    const count = this.#held.get(userId) ?? 0;
    this.#held.set(userId, count + 1);
    // Back before the release was written: the hold in Redis is still there.
    if (count === 0 && !this.#leaving.delete(userId)) {
      this.#writeHolds([userId]);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
      const left = (this.#held.get(userId) ?? 1) - 1;
      if (left > 0) return void this.#held.set(userId, left);
      this.#held.delete(userId);
      this.#leaving.set(userId, Date.now());
      this.#leaveTimer ??= setTimeout(
        () => this.#writeReleases(),
        this.#releaseDelayMs,
      );
    };
  }

  /** Deletes the Redis holds of users released here and not held again since. */
  #writeReleases(): Promise<unknown> {
    clearTimeout(this.#leaveTimer);
    this.#leaveTimer = undefined;
    const redis = this.client();
    const leaving = [...this.#leaving];
    this.#leaving.clear();
    if (!redis || leaving.length === 0) return Promise.resolve();
    const batch = redis.pipeline();
    for (const [id, at] of leaving) {
      batch.hdel(keys.holds(id), this.processId)
        .set(keys.seen(id), String(at), "EX", LAST_SEEN_TTL_SECONDS);
    }
    return batch.exec().catch(() => {});
  }

  async presence(
    userIds: readonly string[],
  ): Promise<Map<string, PresenceState>> {
    const states = await this.local.presence(userIds);
    const redis = this.client();
    if (userIds.length === 0 || !redis) return states;
    const batch = redis.pipeline();
    for (const id of userIds) {
      batch.exists(keys.online(id)).hvals(keys.holds(id)).get(keys.seen(id));
    }
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await batch.exec();
    } catch {
      return states; // Redis went away mid-question: this process's view is the answer.
    }
    if (!replies) return states;
    const now = Date.now();
    userIds.forEach((id, i) => {
      const [online, holds, seen] = replies.slice(3 * i, 3 * i + 3).map((r) =>
        r[0] ? null : r[1]
      );
      const held = Array.isArray(holds) &&
        holds.some((until) => Number(until) > now);
      const local = states.get(id)!;
      const isOnline = local.online || online === 1 || held;
      const seenAt = typeof seen === "string" ? Number(seen) : null;
      states.set(id, {
        online: isOnline,
        lastSeen: isOnline
          ? now
          : Math.max(local.lastSeen ?? 0, seenAt ?? 0) || null,
      });
    });
    return states;
  }

  /** The heartbeat (and a reconnect): every held user is still here; old touches forgotten. */
  refresh(): void {
    const now = Date.now();
    for (const [id, at] of this.#touched) {
      if (now - at >= this.#touchRefreshMs) this.#touched.delete(id);
    }
    this.#writeHolds([...this.#held.keys()]);
  }

  /** On shutdown: this process holds nobody any more (another process may still). */
  async releaseAll(): Promise<void> {
    await this.#writeReleases();
    const redis = this.client();
    if (!redis || this.#held.size === 0) return;
    const batch = redis.pipeline();
    for (const id of this.#held.keys()) {
      batch.hdel(keys.holds(id), this.processId);
    }
    await batch.exec().catch(() => {});
  }

  #writeHolds(userIds: string[]): void {
    const redis = this.client();
    if (userIds.length === 0 || !redis) return;
    const now = Date.now();
    const batch = redis.pipeline();
    for (const id of userIds) {
      batch.hset(keys.holds(id), this.processId, String(now + HOLD_TTL_MS))
        .pexpire(keys.holds(id), HOLD_TTL_MS)
        .set(keys.seen(id), String(now), "EX", LAST_SEEN_TTL_SECONDS);
    }
    batch.exec().catch(() => {});
  }
}
