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

/** What a subscriber is told. More kinds (presence, typing) join this union later. */
export type BusSignal = { kind: "inbox" };

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
}

const INBOX: BusSignal = { kind: "inbox" };

/** The default bus: subscribers in a map, signals delivered synchronously, in-process. */
export class LocalBus implements Bus {
  #listeners = new Map<string, Set<BusListener>>();

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
