/**
 * "Delivered": once any session of the recipient has received a message (a page, a poll,
 * the inbox or its stream), the sender's delivered position moves up to it and the sender
 * gets a `status` event. Marking happens off the request's path and is batched per process:
 * marks wait up to `FLUSH_MS`, the newest per sender and conversation wins, and each commit
 * carries up to 5 conversations, so deliveries cost a few commits a second, not one per
 * message. A position already known to be reached costs nothing.
 */
import type { Bus } from "./bus.ts";
import type { Db, DeliveryMark, Message } from "./db/db.ts";
import { conversationId, MAX_DELIVERY_MARKS } from "./db/db.ts";
import { noteGroupReceived } from "./group_receipts.ts";
import type { State } from "../server/state.ts";

/** How long a delivery waits to share a commit with others. */
export const FLUSH_MS = 100;
const PER_COMMIT = MAX_DELIVERY_MARKS;
const KNOWN_MAX = 100_000;

/** The marks waiting for one KV and bus (one per server in this process). */
class DeliveryBatcher {
  /** Positions known to be reached, by "senderId conversationId". */
  #known = new Map<string, number>();
  #pending = new Map<string, DeliveryMark>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(readonly db: Db, readonly bus: Bus, shutdown: AbortSignal) {
    shutdown.addEventListener("abort", () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      void this.flush();
    }, { once: true });
  }

  add(message: Message): void {
    const cid = conversationId(message.from, message.to);
    const key = `${message.from} ${cid}`;
    if ((this.#known.get(key) ?? 0) >= message.seq) return;
    if ((this.#pending.get(key)?.mark.seq ?? 0) >= message.seq) return;
    this.#pending.set(key, {
      ownerId: message.from,
      cid,
      mark: {
        seq: message.seq,
        messageId: message.id,
        at: new Date().toISOString(),
      },
    });
    if (this.#timer === null && !this.#stopped) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.flush();
      }, FLUSH_MS);
    }
  }

  async flush(): Promise<void> {
    const marks = [...this.#pending];
    this.#pending.clear();
    for (let i = 0; i < marks.length; i += PER_COMMIT) {
      const chunk = marks.slice(i, i + PER_COMMIT);
      try {
        const moved = await this.db.markDelivered(chunk.map(([, m]) => m));
        if (this.#known.size >= KNOWN_MAX) this.#known.clear();
        for (const [key, m] of chunk) this.#known.set(key, m.mark.seq);
        if (moved.length > 0) this.bus.publish(moved);
      } catch {
        // KV busy or closing: a later delivery of a newer message marks these too.
      }
    }
  }
}

const batchers = new WeakMap<Db, DeliveryBatcher>();

/** Notes that `recipientId` received `messages`; others' messages become delivered. */
export function noteReceived(
  state: Pick<State, "db" | "bus" | "shutdown">,
  recipientId: string,
  messages: Iterable<Message>,
): void {
  let batcher = batchers.get(state.db);
  const inGroups: Message[] = [];
  for (const m of messages) {
    if (m.from === recipientId) continue;
    // A group's status depends on every member: lib/group_receipts.ts.
    if (m.conversation) {
      inGroups.push(m);
      continue;
    }
    if (!batcher) {
      batcher = new DeliveryBatcher(state.db, state.bus, state.shutdown);
      batchers.set(state.db, batcher);
    }
    batcher.add(m);
  }
  if (inGroups.length > 0) noteGroupReceived(state, recipientId, inGroups);
}
