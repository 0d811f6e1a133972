/**
 * The seam for signals between requests: wake-ups ("look again in KV"), typing and presence.
 * Whoever commits something that concerns users publishes their ids; whoever holds a
 * request for a user (a long poll, an event stream) subscribes and re-reads KV when woken.
 * A signal carries hints or ephemeral data only, so a lost or doubled signal costs a read,
 * never a wrong answer: KV stays the truth for messages, statuses and settings.
 *
 * Presence lives here too (who is online, and since when they were last seen), in memory,
 * so a request never costs a KV commit to say "I am here"; lib/presence.ts persists
 * `lastSeen` to KV at most once a minute per user.
 *
 * The default implementation is in-process. A bus shared by several processes implements
 * the same interface; nothing else changes. Until then, writes from another process on the
 * same KV file reach this process's subscribers through one shared periodic check
 * (lib/inbox_watch.ts), never through one watch per user.
 */

/** What a subscriber is told. JSON-serialisable: a shared bus sends it as JSON as-is. */
export type BusSignal =
  // "look again in KV": something of yours was committed; `broad` when the sender cannot
  // say whose (publishAll), so readers check their cheap inbox key before a full read. A
  // send adds its conversation and seq: that message is committed, so a long poll on that
  // conversation can end without reading the head first.
  | { kind: "inbox"; broad?: true; conversationId?: string; seq?: number }
  | { kind: "typing"; conversationId: string; from: string } // ephemeral, never stored
  | { kind: "presence"; userId: string } // "this user's presence changed" (online/offline)
  // "this user's settings changed": sent to SETTINGS_TOPIC only, so every process drops
  // its cached copy (lib/settings.ts); never sent to a user's own subscribers.
  | { kind: "settings"; userId: string };

/**
 * Not a user: the topic each process's settings cache listens on. A shared bus carries it
 * like a user's signals (one Redis channel), so a privacy change made through one process
 * holds at once on every other.
 */
export const SETTINGS_TOPIC = "~settings";

/** Called with each signal for the subscribed user. */
export type BusListener = (signal: BusSignal) => void;

/** A user's presence as the bus knows it. */
export interface PresenceState {
  online: boolean;
  /** Epoch ms of the last moment the user was seen online, as far as the bus knows; null if never. */
  lastSeen: number | null;
}

/** Signals and presence by user id. */
export interface Bus {
  /** Tells every subscriber of each user a signal (default `{ kind: "inbox" }`). */
  publish(userIds: Iterable<string>, signal?: BusSignal): void;
  /** Listens for one user's signals; returns the unsubscribe function. */
  subscribe(userId: string, listener: BusListener): () => void;
  /** Signals every subscriber (a change from elsewhere that names nobody in particular). */
  publishAll(signal?: BusSignal): void;
  /** How many users have at least one subscriber. */
  readonly subscribedUsers: number;
  /** The user made a request now: online for the next 30 s. Cheap, in memory / Redis, no KV. */
  touch(userId: string): void;
  /** The user holds an inbox stream or poll: online until the returned release is called. */
  hold(userId: string): () => void;
  /** Presence of each asked user (missing users: offline, lastSeen null). */
  presence(userIds: readonly string[]): Promise<Map<string, PresenceState>>;
  /** "ok" | "down" for /healthz ("off" is reported when no shared bus is configured). */
  health?(): "ok" | "down";
  /** Stops timers and connections. */
  close?(): Promise<void>;
}

/** A request keeps its user online for this long. */
export const ONLINE_AFTER_REQUEST_MS = 30_000;

const INBOX: BusSignal = { kind: "inbox" };
/** What `publishAll` sends by default: "something changed, maybe yours". */
export const BROAD_INBOX: BusSignal = { kind: "inbox", broad: true };

/** Presence bookkeeping of one user in one process. */
interface LocalPresence {
  /** Streams and polls held right now. */
  holds: number;
  /** Epoch ms of the last request, or of the moment the last hold was released. */
  lastSeen: number;
}

/** The default bus: subscribers in a map, signals delivered synchronously, in-process. */
export class LocalBus implements Bus {
  #listeners = new Map<string, Set<BusListener>>();
  #presence = new Map<string, LocalPresence>();
  readonly #onlineMs: number;

  constructor(options: { onlineMs?: number } = {}) {
    this.#onlineMs = options.onlineMs ?? ONLINE_AFTER_REQUEST_MS;
  }

  get subscribedUsers(): number {
    return this.#listeners.size - (this.#listeners.has(SETTINGS_TOPIC) ? 1 : 0);
  }

  publish(userIds: Iterable<string>, signal: BusSignal = INBOX): void {
    for (const id of new Set(userIds)) {
      const set = this.#listeners.get(id);
      if (set) this.#deliver(set, signal);
    }
  }

  publishAll(signal: BusSignal = BROAD_INBOX): void {
    for (const set of this.#listeners.values()) this.#deliver(set, signal);
  }

  subscribe(userId: string, listener: BusListener): () => void {
    let set = this.#listeners.get(userId);
    if (!set) this.#listeners.set(userId, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(userId) === set) {
        this.#listeners.delete(userId);
      }
    };
  }

  touch(userId: string): void {
    const p = this.#presence.get(userId);
    if (p) p.lastSeen = Date.now();
    else this.#presence.set(userId, { holds: 0, lastSeen: Date.now() });
    this.#forgetStale();
  }

  hold(userId: string): () => void {
    this.touch(userId);
    const p = this.#presence.get(userId)!;
    p.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      p.holds--;
      p.lastSeen = Date.now();
      // A fresh entry may have replaced this one after a sweep; keep the newest moment.
      const current = this.#presence.get(userId);
      if (current && current !== p) current.lastSeen = p.lastSeen;
    };
  }

  presence(userIds: readonly string[]): Promise<Map<string, PresenceState>> {
    const now = Date.now();
    const out = new Map<string, PresenceState>();
    for (const id of userIds) {
      const p = this.#presence.get(id);
      if (!p) out.set(id, { online: false, lastSeen: null });
      else {
        const online = p.holds > 0 || now - p.lastSeen < this.#onlineMs;
        out.set(id, { online, lastSeen: online ? now : p.lastSeen });
      }
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  // Bounded memory: users offline for a day are forgotten (their lastSeen is in KV by then).
  #touches = 0;
  #forgetStale(): void {
    if (++this.#touches % 10_000 !== 0) return;
    const cutoff = Date.now() - 24 * 60 * 60 * 1000;
    for (const [id, p] of this.#presence) {
      if (p.holds === 0 && p.lastSeen < cutoff) this.#presence.delete(id);
    }
  }

  #deliver(set: Set<BusListener>, signal: BusSignal): void {
    for (const listener of [...set]) {
      try {
        listener(signal);
      } catch (error) {
        // One broken subscriber must not keep the others asleep.
        console.error(error);
      }
    }
  }
}
