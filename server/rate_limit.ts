/**
 * In-memory token buckets. Per process: with several server processes each one limits on
 * its own, which still bounds abuse to N times the rate (README says so).
 */

export interface RateLimiter {
  /** Takes one token for `key`; false means the caller is over the limit. */
  take(key: string): boolean;
  /** True when `key` has no token left, without taking one. */
  limited(key: string): boolean;
  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfter(key: string): number;
  /** Gives back a token taken for an attempt that turned out not to count (a good login). */
  refund(key: string): void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A token bucket per key: `capacity` at once, refilled at `refillPerSecond`. */
export function createRateLimiter(
  options: { capacity: number; refillPerSecond: number; maxKeys?: number },
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
  return {
    take(key) {
      const now = Date.now();
      const bucket = refill(key, now);
      // Bounded memory: forget the oldest key rather than grow without limit.
      if (!buckets.has(key) && buckets.size >= maxKeys) {
        buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    limited(key) {
      return buckets.has(key) && refill(key, Date.now()).tokens < 1;
    },
    refund(key) {
      const bucket = buckets.get(key);
      if (bucket) {
        bucket.tokens = Math.min(options.capacity, bucket.tokens + 1);
      }
    },
    retryAfter(key) {
      const bucket = refill(key, Date.now());
      return Math.max(
        1,
        Math.ceil((1 - bucket.tokens) / options.refillPerSecond),
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
  /** "typing…" notices per user (the island sends at most one per 3 s). */
  typing: RateLimiter;
}

/** The app's limits; generous enough for people, tight enough for scripts. */
export function createRateLimiters(): RateLimiters {
  return {
    login: {
      // 10 wrong passwords, then one more every 30 s: slow enough to make guessing useless,
      // and only for browsers the account has never logged in from (see perDevice).
      perAccount: createRateLimiter({ capacity: 10, refillPerSecond: 1 / 30 }),
      // Password spraying: one address trying a few passwords on many accounts.
      perAddress: createRateLimiter({ capacity: 30, refillPerSecond: 1 / 10 }),
      // A browser holding this account's device cookie has its own allowance, so an
      // attacker who exhausts perAccount cannot lock the owner out.
      perDevice: createRateLimiter({ capacity: 10, refillPerSecond: 1 / 30 }),
    },
    heldPolls: createConcurrencyLimit(MAX_HELD_POLLS_PER_USER),
    registrations: createRateLimiter({ capacity: 100, refillPerSecond: 1 }),
    sends: createRateLimiter({ capacity: 300, refillPerSecond: 20 }),
    signInStarts: createRateLimiter({ capacity: 60, refillPerSecond: 1 }),
    // A few tabs or chats at once; a script gets cut off at one per second.
    typing: createRateLimiter({ capacity: 20, refillPerSecond: 1 }),
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
