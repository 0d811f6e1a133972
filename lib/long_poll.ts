/**
 * Long polling: holds a request until a conversation's head moves past the client's
 * cursor, the wait runs out, the client goes away or the server shuts down.
 *
 * Built to hold thousands of requests cheaply: all waiters on one conversation share one
 * `kv.watch` (reference-counted), and one timer per process both expires waiters and
 * re-reads the watched heads, because on a local SQLite file `kv.watch` wakes within a
 * millisecond for this process's writes but never for another process's.
 *
 * The number of watches is capped. Over KV Connect (a remote KV URL, or Deno Deploy's KV)
 * each `kv.watch` holds one HTTP/2 stream, and a server that caps streams per connection
 * (e.g. at 200) stalls every KV call of a process holding more watches than that. Past the
 * cap a conversation is served by the periodic re-read alone (within RECHECK_INTERVAL_MS).
 */
import type { Db, HeadState } from "./db/db.ts";

/** How often watched heads are re-read, for writes from other processes on the same KV file. */
export const RECHECK_INTERVAL_MS = 250;
/** Most watches held at once against a remote KV: half of a 200-stream HTTP/2 cap. */
export const REMOTE_MAX_WATCHES = 100;
/** Most watches on a local file or `:memory:`, where a watch costs no connection. */
export const LOCAL_MAX_WATCHES = 10_000;
/** A watch with no waiter left is kept this long: the client's next poll usually follows at once. */
const IDLE_WATCH_MS = 5_000;

/** Why a wait ended. */
export type WaitOutcome = "changed" | "timeout" | "aborted";

interface Waiter {
  afterSeq: number;
  deadline: number;
  finish(outcome: WaitOutcome): void;
}

interface WatchedHead {
  /** -1 until the first read: wakes nobody, and any read replaces it. */
  seq: number;
  versionstamp: string | null | undefined;
  waiters: Set<Waiter>;
  idleSince: number;
  stop(): void;
  /** A single-head re-read is running; `again` asks for one more after it. */
  rereading?: boolean;
  again?: boolean;
}

export interface HeadWaiterOptions {
  recheckMs: number;
  /**
   * True while something else (a healthy shared bus) brings other processes' commits: the
   * periodic re-read is skipped then, and waits still expire on time.
   */
  skipRecheck?: () => boolean;
  /** Conversations beyond this many are re-read periodically instead of watched. */
  maxWatches: number;
}

/** Waits on conversation heads for one Db, sharing watches and one timer among all waiters. */
export class HeadWaiter {
  #watched = new Map<string, WatchedHead>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #rechecking = false;
  #closed = false;
  #watches = 0;

  constructor(
    readonly db: Db,
    readonly options: HeadWaiterOptions = {
      recheckMs: RECHECK_INTERVAL_MS,
      maxWatches: LOCAL_MAX_WATCHES,
    },
  ) {}

  /** How many `kv.watch` streams are open right now (never above `maxWatches`). */
  get watches(): number {
    return this.#watches;
  }

  /** How many requests are held right now (for tests and the benchmark's notes). */
  get held(): number {
    let count = 0;
    for (const head of this.#watched.values()) count += head.waiters.size;
    return count;
  }

  /**
   * Resolves "changed" once conversation `cid`'s head seq is above `afterSeq`, "timeout"
   * after `timeoutMs` (to within one re-check interval), "aborted" when a signal fires.
   */
  wait(
    cid: string,
    afterSeq: number,
    options: { timeoutMs: number; signals?: AbortSignal[] },
  ): Promise<WaitOutcome> {
    const signals = options.signals ?? [];
    if (this.#closed || signals.some((s) => s.aborted)) {
      return Promise.resolve("aborted");
    }
    const head = this.#watch(cid);
    if (head.seq > afterSeq) return Promise.resolve("changed");
    const { promise, resolve } = Promise.withResolvers<WaitOutcome>();
    const onAbort = () => waiter.finish("aborted");
    const waiter: Waiter = {
      afterSeq,
      deadline: Date.now() + options.timeoutMs,
      finish: (outcome) => {
        if (!head.waiters.delete(waiter)) return;
        if (head.waiters.size === 0) head.idleSince = Date.now();
        for (const signal of signals) {
          signal.removeEventListener("abort", onAbort);
        }
        resolve(outcome);
      },
    };
    head.waiters.add(waiter);
    for (const signal of signals) {
      signal.addEventListener("abort", onAbort, { once: true });
    }
    this.#startTimer();
    return promise;
  }

  /**
   * Re-reads `cid`'s head now, if anyone waits on it: a hint (e.g. from the bus) that it may
   * have moved in another process. Hints for one head coalesce into at most one read behind
   * the running one.
   */
  recheck(cid: string): void {
    const head = this.#watched.get(cid);
    if (!head || head.waiters.size === 0 || this.#closed) return;
    if (head.rereading) {
      head.again = true;
      return;
    }
    head.rereading = true;
    this.db.getConversationHeadStates([cid])
      .then(([state]) => {
        if (!this.#closed && state) this.#update(head, state);
      })
      .catch(() => {
        // KV busy or closing: the periodic re-read still covers the conversation.
      })
      .finally(() => {
        head.rereading = false;
        if (head.again) {
          head.again = false;
          this.recheck(cid);
        }
      });
  }

  /** Ends every wait ("aborted"), stops all watches and the timer. Call before closing KV. */
  close(): void {
    this.#closed = true;
    for (const head of this.#watched.values()) {
      for (const waiter of [...head.waiters]) waiter.finish("aborted");
      head.stop();
    }
    this.#watched.clear();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #watch(cid: string): WatchedHead {
    const existing = this.#watched.get(cid);
    if (existing) return existing;
    const head: WatchedHead = {
      seq: -1,
      versionstamp: undefined,
      waiters: new Set(),
      idleSince: Date.now(),
      stop: () => {},
    };
    this.#watched.set(cid, head);
    // At the cap (0 with a shared bus), the periodic re-read or the bus serves it.
    if (this.#watches >= this.options.maxWatches) return head;
    const reader = this.db.watchConversationHead(cid).getReader();
    head.stop = () => reader.cancel().catch(() => {});
    this.#watches++;
    (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          this.#update(head, value);
        }
      } catch {
        // Cancelled, or KV closed: the periodic re-check still covers the conversation.
      } finally {
        this.#watches--;
      }
    })();
    return head;
  }

  #update(head: WatchedHead, state: HeadState): void {
    // A re-check that raced a watch event may carry an older head: keep the newer one.
    if (
      head.versionstamp && state.versionstamp &&
      state.versionstamp <= head.versionstamp
    ) return;
    if (state.versionstamp === head.versionstamp) return;
    head.versionstamp = state.versionstamp;
    head.seq = state.seq;
    for (const waiter of [...head.waiters]) {
      if (state.seq > waiter.afterSeq) waiter.finish("changed");
    }
  }

  #startTimer(): void {
    this.#timer ??= setInterval(() => this.#tick(), this.options.recheckMs);
  }

  async #tick(): Promise<void> {
    const now = Date.now();
    const held: Array<[string, WatchedHead]> = [];
    for (const [cid, head] of this.#watched) {
      for (const waiter of [...head.waiters]) {
        if (waiter.deadline <= now) waiter.finish("timeout");
      }
      if (head.waiters.size > 0) held.push([cid, head]);
      else if (now - head.idleSince >= IDLE_WATCH_MS) {
        head.stop();
        this.#watched.delete(cid);
      }
    }
    if (this.#watched.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    // A slow read must not pile up behind itself: skip this round instead.
    if (held.length === 0 || this.#rechecking) return;
    if (this.options.skipRecheck?.()) return;
    this.#rechecking = true;
    try {
      const states = await this.db.getConversationHeadStates(
        held.map(([cid]) => cid),
      );
      if (this.#closed) return;
      states.forEach((state, i) => this.#update(held[i][1], state));
    } catch {
      // KV busy or closing: the next round tries again.
    } finally {
      this.#rechecking = false;
    }
  }
}

const waiters = new WeakMap<Db, HeadWaiter>();

/**
 * Creates the process's HeadWaiter for `db` (the server does this at start), with the watch
 * cap for where KV lives: REMOTE_MAX_WATCHES over the network, LOCAL_MAX_WATCHES otherwise.
 */
export function createHeadWaiter(
  db: Db,
  options: {
    remoteKv: boolean;
    /** A shared bus wakes the polls (chat.ts), so no `kv.watch` is needed at all. */
    sharedBus?: boolean;
    skipRecheck?: () => boolean;
  },
): HeadWaiter {
  const waiter = new HeadWaiter(db, {
    recheckMs: RECHECK_INTERVAL_MS,
    skipRecheck: options.skipRecheck,
    maxWatches: options.sharedBus
      ? 0
      : options.remoteKv
      ? REMOTE_MAX_WATCHES
      : LOCAL_MAX_WATCHES,
  });
  waiters.get(db)?.close();
  waiters.set(db, waiter);
  return waiter;
}

/** The process's HeadWaiter for `db`, created on first use. */
export function headWaiterFor(db: Db): HeadWaiter {
  let waiter = waiters.get(db);
  if (!waiter) {
    waiter = new HeadWaiter(db);
    waiters.set(db, waiter);
  }
  return waiter;
}

/** Closes `db`'s HeadWaiter if it has one, answering every held wait. */
export function closeHeadWaiter(db: Db): void {
  waiters.get(db)?.close();
  waiters.delete(db);
}
