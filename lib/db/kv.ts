/**
 * The one way lib/db writes to KV. `commit` retries SQLite's "database is locked" (seen
 * when several processes share one KV file); `commitWithRetry` re-reads and retries an
 * optimistic write whose checks failed. Both wait with the same jittered exponential
 * backoff, so concurrent writers spread out instead of colliding again in lock-step.
 */
import { DomainError } from "../errors.ts";

/** Bounded retries for optimistic-concurrency conflicts and SQLite's "database is locked". */
export const MAX_COMMIT_ATTEMPTS = 40;

/** Jittered exponential backoff, capped at ~50 ms per wait. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(50, 2 ** Math.min(attempt, 6)) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isLockedError(error: unknown): boolean {
  return error instanceof Error && /database is locked/i.test(error.message);
}

/**
 * Commits an atomic operation, retrying "database is locked". Returns the commit result so
 * callers whose checks express a rule (a name already taken) can say which rule failed.
 */
export async function commit(
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

/** One try of an optimistic write: an operation to commit, or an answer without writing. */
export type WriteAttempt<T> =
  | { op: Deno.AtomicOperation; result: T }
  | { done: T };

/**
 * Runs `attempt` (read, decide, build a checked operation) until its commit succeeds,
 * waiting with backoff after each conflict. After `MAX_COMMIT_ATTEMPTS` conflicts it throws
 * a "busy" DomainError with `busyMessage`.
 */
export async function commitWithRetry<T>(
  attempt: (n: number) => Promise<WriteAttempt<T>>,
  busyMessage: string,
): Promise<T> {
  for (let n = 0; n < MAX_COMMIT_ATTEMPTS; n++) {
    const next = await attempt(n);
    if ("done" in next) return next.done;
    if ((await commit(next.op)).ok) return next.result;
    await backoff(n);
  }
  throw new DomainError("busy", "busy", busyMessage);
}
