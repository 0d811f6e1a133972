/**
 * Token buckets. In memory by default; with `NATTER_REDIS_URL` the buckets live in Redis
 * (server/redis_buckets.ts) so a limit holds across every process, and a process that
 * cannot reach Redis counts in its own memory meanwhile (bounding abuse to N times the rate).
 */

export interface RateLimiter {
  /** Takes one token for `key`; false means the caller is over the limit. */
  take(key: string): Promise<boolean>;
  /** True when `key` has no token left, without taking one. */
  limited(key: string): Promise<boolean>;
  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfter(key: string): Promise<number>;
  /** Gives back a token taken for an attempt that turned out not to count (a good login). */
  refund(key: string): Promise<void>;
}

/** One bucket's shape: `capacity` at once, refilled at `refillPerSecond`. */
export interface BucketRule {
  capacity: number;
  refillPerSecond: number;
}

/**
 * Where buckets are counted when shared. `cost` tokens are taken when there (a negative cost
 * gives back, 0 only looks); answers the tokens left and whether the take happened, or null
 * when the store cannot answer now (the limiter then counts in memory).
 */
export interface SharedBuckets {
  take(
    key: string,
    rule: BucketRule,
    cost: number,
  ): Promise<{ ok: boolean; tokens: number } | null>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A token bucket per key: `capacity` at once, refilled at `refillPerSecond`. */
export function createRateLimiter(
  options: BucketRule & { name?: string; maxKeys?: number },
  shared?: SharedBuckets,
): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const maxKeys = options.maxKeys ?? 100_000;
  const refill = (key: string, now: number): Bucket => {
    const bucket = buckets.get(key) ??
      { tokens: options.capacity, updatedAt: now };
    bucket.tokens = Math.min(
      options.capacity,
      bucket.tokens + (now - bucket.updatedAt) / 1000 * options.refillPerSecond,
    );
    bucket.updatedAt = now;
    return bucket;
  };
  const inMemory = (key: string, cost: number) => {
    if (cost === 0 && !buckets.has(key)) {
      return { ok: true, tokens: options.capacity };
    }
    const bucket = refill(key, Date.now());
    // Bounded memory: forget the oldest key rather than grow without limit.
    if (!buckets.has(key) && buckets.size >= maxKeys) {
      buckets.delete(buckets.keys().next().value!);
    }
    buckets.set(key, bucket);
    if (cost > 0 && bucket.tokens < cost) {
      return { ok: false, tokens: bucket.tokens };
    }
    bucket.tokens = Math.min(options.capacity, bucket.tokens - cost);
    return { ok: true, tokens: bucket.tokens };
  };
  const sharedKey = (key: string) => `${options.name ?? "limit"}:${key}`;
  const take = async (key: string, cost: number) =>
    (shared && await shared.take(sharedKey(key), options, cost)) ??
      inMemory(key, cost);
  return {
    async take(key) {
      return (await take(key, 1)).ok;
    },
    async limited(key) {
      return (await take(key, 0)).tokens < 1;
    },
    async refund(key) {
      await take(key, -1);
    },
    async retryAfter(key) {
      const { tokens } = await take(key, 0);
      return Math.max(
        1,
        Math.ceil((1 - tokens) / options.refillPerSecond),
      );
    },
  };
}

export interface RateLimiters {
  /** Password checks: per account, per address and per known device (server/login_throttle.ts). */
  login: LoginLimiters;
  /** Long polls held at once per user. */
  heldPolls: ConcurrencyLimit;
  /** Account creations per client address. */
  registrations: RateLimiter;
  /** Messages sent per user. */
  sends: RateLimiter;
  /** Provider sign-ins started per client address (each stores a pending state). */
  signInStarts: RateLimiter;
  /** Attachment uploads per user (issue 14): a chat's worth of photos at once, then 1/s. */
  uploads: RateLimiter;
  /** "typing…" notices per user (the island sends at most one per 3 s). */
  typing: RateLimiter;
}

/** The app's limits; generous enough for people, tight enough for scripts. */
export function createRateLimiters(shared?: SharedBuckets): RateLimiters {
  const limit = (name: string, rule: BucketRule) =>
    createRateLimiter({ name, ...rule }, shared);
  return {
    login: {
      // 10 wrong passwords, then one more every 30 s: slow enough to make guessing useless,
      // and only for browsers the account has never logged in from (see perDevice).
      perAccount: limit("login_account", {
        capacity: 10,
        refillPerSecond: 1 / 30,
      }),
      // Password spraying: one address trying a few passwords on many accounts.
      perAddress: limit("login_address", {
        capacity: 30,
        refillPerSecond: 1 / 10,
      }),
      // A browser holding this account's device cookie has its own allowance, so an
      // attacker who exhausts perAccount cannot lock the owner out.
      perDevice: limit("login_device", {
        capacity: 10,
        refillPerSecond: 1 / 30,
      }),
    },
    heldPolls: createConcurrencyLimit(MAX_HELD_POLLS_PER_USER),
    registrations: limit("registrations", {
      capacity: 100,
      refillPerSecond: 1,
    }),
    sends: limit("sends", { capacity: 300, refillPerSecond: 20 }),
    signInStarts: limit("sign_in_starts", { capacity: 60, refillPerSecond: 1 }),
    uploads: limit("uploads", { capacity: 60, refillPerSecond: 1 }),
    // A few tabs or chats at once; a script gets cut off at one per second.
    typing: limit("typing", { capacity: 20, refillPerSecond: 1 }),
  };
}

export interface LoginLimiters {
  perAccount: RateLimiter;
  perAddress: RateLimiter;
  perDevice: RateLimiter;
}

/**
 * Long polls one user may hold at once. Eight covers a person with a few tabs open on
 * two devices (a browser holds at most six HTTP/1.1 connections per host anyway), while
 * one account can no longer pin thousands of requests and KV watches.
 */
export const MAX_HELD_POLLS_PER_USER = 8;
/** What a poll over the limit is told to wait: about one normal poll interval. */
export const HELD_POLL_RETRY_AFTER_SECONDS = 5;

export interface ConcurrencyLimit {
  /** Claims a slot for `key`; returns its release function, or null when all are in use. */
  acquire(key: string): (() => void) | null;
  /** Slots in use for `key`. */
  inUse(key: string): number;
}

/** At most `max` operations in flight per key. */
export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  const counts = new Map<string, number>();
  return {
    acquire(key) {
      const count = counts.get(key) ?? 0;
      if (count >= max) return null;
      counts.set(key, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      };
    },
    inUse(key) {
      return counts.get(key) ?? 0;
    },
  };
}
