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
  /** Failed logins per username and client address. */
  loginFailures: RateLimiter;
  /** Account creations per client address. */
  registrations: RateLimiter;
  /** Messages sent per user. */
  sends: RateLimiter;
  /** Provider sign-ins started per client address (each stores a pending state). */
  signInStarts: RateLimiter;
}

/** The app's limits; generous enough for people, tight enough for scripts. */
export function createRateLimiters(): RateLimiters {
  return {
    loginFailures: createRateLimiter({ capacity: 10, refillPerSecond: 1 / 30 }),
    registrations: createRateLimiter({ capacity: 100, refillPerSecond: 1 }),
    sends: createRateLimiter({ capacity: 300, refillPerSecond: 20 }),
    signInStarts: createRateLimiter({ capacity: 60, refillPerSecond: 1 }),
  };
}
