/**
 * The seam for wake-ups between requests: whoever commits something that concerns users
 * publishes their ids; whoever holds a request for a user (a long poll, an event stream)
 * subscribes and re-reads KV when woken. A signal carries no data that matters, only "look
 * again", so a lost or doubled signal costs a read, never a wrong answer: KV stays the truth.
 *
 * The default implementation is in-process. A bus shared by several processes (a later
 * issue) implements the same interface; nothing else changes. Until then, writes from
 * another process on the same KV file reach this process's subscribers through one shared
 * periodic check (lib/inbox_watch.ts), never through one watch per user.
 */

/** What a subscriber is told. JSON-serialisable: a shared bus sends it as JSON as-is. */
export type BusSignal =
  | { kind: "inbox" } // "look again in KV": something of yours was committed
  | { kind: "typing"; conversationId: string; from: string } // ephemeral, never stored
  | { kind: "presence"; userId: string }; // "this user's presence changed" (online/offline)

export interface PresenceState {
  online: boolean;
  /** Epoch ms of the last moment the user was seen online, as far as the bus knows; null if never. */
  lastSeen: number | null;
}

/** A request counts as "online" for this long. */
export const TOUCH_ONLINE_MS = 30_000;

/** Called with each signal for the subscribed user. */
export type BusListener = (signal: BusSignal) => void;

/** Wake-ups by user id. */
export interface Bus {
  /** Tells every subscriber of each user that something of theirs changed. */
  publish(userIds: Iterable<string>, signal?: BusSignal): void;
  /** Listens for one user's signals; returns the unsubscribe function. */
  subscribe(userId: string, listener: BusListener): () => void;
  /** Wakes every subscriber (a change from elsewhere that names nobody in particular). */
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

const INBOX: BusSignal = { kind: "inbox" };

/** The default bus: subscribers in a map, signals delivered synchronously, in-process. */
export class LocalBus implements Bus {
  #listeners = new Map<string, Set<BusListener>>();
  // Presence kept minimal here (last touch, hold counts); the presence work owns the rest.
  #touched = new Map<string, number>();
  #held = new Map<string, number>();

  get subscribedUsers(): number {
    return this.#listeners.size;
  }

  publish(userIds: Iterable<string>, signal: BusSignal = INBOX): void {
    for (const id of new Set(userIds)) {
      const set = this.#listeners.get(id);
      if (set) this.#deliver(set, signal);
    }
  }

  publishAll(signal: BusSignal = INBOX): void {
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
    this.#touched.set(userId, Date.now());
  }

  hold(userId: string): () => void {
    this.#held.set(userId, (this.#held.get(userId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#held.get(userId) ?? 1) - 1;
      if (left > 0) this.#held.set(userId, left);
      else this.#held.delete(userId);
      this.#touched.set(userId, Date.now() - TOUCH_ONLINE_MS);
    };
  }

  presence(userIds: readonly string[]): Promise<Map<string, PresenceState>> {
    const now = Date.now();
    const states = new Map<string, PresenceState>();
    for (const id of userIds) {
      const held = this.#held.has(id);
      const touched = this.#touched.get(id);
      const online = held ||
        (touched !== undefined && now - touched < TOUCH_ONLINE_MS);
      const lastSeen = online
        ? now
        : touched === undefined
        ? null
        : touched + TOUCH_ONLINE_MS;
      states.set(id, { online, lastSeen });
    }
    return Promise.resolve(states);
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
