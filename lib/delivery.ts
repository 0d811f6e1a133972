/**
 * "Delivered": once any session of the recipient has received a message (a page, a poll,
 * the inbox or its stream), the sender's delivered position moves up to it and the sender
 * gets a `status` event. Marking happens after the answer is built, off the request's path,
 * and is coalesced per sender and conversation in this process: a burst of deliveries costs
 * one commit per burst, and a position already known to be reached costs none.
 */
import type { Message } from "./db/db.ts";
import { conversationId } from "./db/db.ts";
import type { State } from "../server/state.ts";

interface Pending {
  /** The newest message to mark, or null once written. */
  target: Message | null;
  running: boolean;
}

// Positions known to be reached, by "senderId conversationId"; bounded, a miss costs a read.
const KNOWN_MAX = 100_000;
const known = new Map<string, number>();
const pending = new Map<string, Pending>();

/** Notes that `recipientId` received `messages`; others' messages become delivered. */
export function noteReceived(
  state: Pick<State, "db" | "bus">,
  recipientId: string,
  messages: Iterable<Message>,
): void {
  const newest = new Map<string, Message>();
  for (const m of messages) {
    if (m.from === recipientId) continue;
    const key = `${m.from} ${conversationId(m.from, m.to)}`;
    if ((newest.get(key)?.seq ?? 0) < m.seq) newest.set(key, m);
  }
  for (const [key, message] of newest) {
    if ((known.get(key) ?? 0) >= message.seq) continue;
    let p = pending.get(key);
    if (!p) pending.set(key, p = { target: null, running: false });
    if ((p.target?.seq ?? 0) < message.seq) p.target = message;
    if (!p.running) void drain(state, key, p);
  }
}

async function drain(
  state: Pick<State, "db" | "bus">,
  key: string,
  p: Pending,
): Promise<void> {
  p.running = true;
  try {
    while (p.target) {
      const m = p.target;
      p.target = null;
      if ((known.get(key) ?? 0) >= m.seq) continue;
      const cid = conversationId(m.from, m.to);
      const moved = await state.db.markDelivered(m.from, cid, {
        seq: m.seq,
        messageId: m.id,
        at: new Date().toISOString(),
      });
      if (known.size >= KNOWN_MAX) known.clear();
      known.set(key, Math.max(known.get(key) ?? 0, m.seq));
      if (moved) state.bus.publish([m.from]);
    }
  } catch {
    // KV busy or closing: the next delivery of a newer message marks this one too.
  } finally {
    p.running = false;
    if (!p.target) pending.delete(key);
  }
}
