/**
 * The newest messages of recently active conversations, kept in this process with their
 * versionstamps, so the streams one send wakes (49 of them for a group of 50) read the new
 * message from KV once between them instead of once each.
 *
 * Safe because a message entry is written once, by the commit that sends it, and never
 * rewritten (only deleted with its whole conversation, whose ids are never reused), and
 * because readers ask only for seqs they already know exist (a member row's `lastSeq`). A
 * cache miss, an eviction or another process's write costs a KV read, never a wrong answer.
 */
import { keys } from "./keys.ts";
import type { Message } from "./messages.ts";

/** A message with the versionstamp of the commit that wrote it. */
export interface StampedMessage {
  message: Message;
  stamp: string;
}

/** Per conversation, the newest this many messages are kept. */
const PER_CONVERSATION = 16;
/** Conversations kept, least recently used dropped first (~16 × 4,096 × ~0.5 KB at most). */
const MAX_CONVERSATIONS = 4096;
/** How many messages one KV read fetches when the cache has none of them. */
const READ_BATCH = 4;

const cache = new Map<string, Map<number, StampedMessage>>();
/** Reads under way, by conversation and top seq: concurrent wake-ups share one. */
const reading = new Map<string, Promise<void>>();

function conversation(cid: string): Map<number, StampedMessage> {
  let entries = cache.get(cid);
  if (entries) {
    cache.delete(cid);
  } else {
    entries = new Map();
    if (cache.size >= MAX_CONVERSATIONS) {
      cache.delete(cache.keys().next().value!);
    }
  }
  cache.set(cid, entries);
  return entries;
}

function remember(cid: string, entry: StampedMessage): void {
  const entries = conversation(cid);
  entries.set(entry.message.seq, entry);
  if (entries.size > PER_CONVERSATION) {
    entries.delete(Math.min(...entries.keys()));
  }
}

/** Reads seqs `top`, `top − 1`, … ≥ `fromSeq` into the cache, down to the first at or before `after`. */
async function fill(
  kv: Deno.Kv,
  cid: string,
  fromSeq: number,
  top: number,
  after: string,
): Promise<void> {
  const iter = kv.list<Message>({
    start: keys.message(cid, fromSeq),
    end: keys.message(cid, top + 1),
  }, { reverse: true, batchSize: READ_BATCH });
  let count = 0;
  for await (const entry of iter) {
    remember(cid, { message: entry.value, stamp: entry.versionstamp });
    if (entry.versionstamp <= after || ++count >= PER_CONVERSATION) break;
  }
}

/**
 * The messages of `cid` with seq in [fromSeq, lastSeq] whose versionstamps are in
 * (after, until], newest first; at most `max + 1` of them (one more says "too many").
 */
export async function messagesAfter(
  kv: Deno.Kv,
  cid: string,
  range: { fromSeq: number; lastSeq: number },
  window: { after: string; until: string },
  max: number,
): Promise<StampedMessage[]> {
  const { after, until } = window;
  const out: StampedMessage[] = [];
  let seq = range.lastSeq;
  const walk = (): boolean => {
    const entries = cache.get(cid);
    for (; seq >= range.fromSeq; seq--) {
      const hit = entries?.get(seq);
      if (!hit) return false;
      if (hit.stamp <= after) return true;
      if (hit.stamp > until) continue;
      out.push(hit);
      if (out.length > max) return true;
    }
    return true;
  };
  if (walk()) return out;
  const key = `${cid}\n${seq}`;
  let pending = reading.get(key);
  if (!pending) {
    pending = fill(kv, cid, range.fromSeq, seq, after).finally(() =>
      reading.delete(key)
    );
    reading.set(key, pending);
  }
  await pending;
  if (walk()) return out;
  // Older than the cache holds (a far-behind cursor): read the rest directly.
  const iter = kv.list<Message>({
    start: keys.message(cid, range.fromSeq),
    end: keys.message(cid, seq + 1),
  }, { reverse: true, batchSize: 16 });
  for await (const entry of iter) {
    if (entry.versionstamp <= after) break;
    if (entry.versionstamp > until) continue;
    out.push({ message: entry.value, stamp: entry.versionstamp });
    if (out.length > max) break;
  }
  return out;
}

/** The message at `seq`, from the cache or KV. */
export async function messageAt(
  kv: Deno.Kv,
  cid: string,
  seq: number,
): Promise<Message | null> {
  const hit = cache.get(cid)?.get(seq);
  if (hit) return hit.message;
  const entry = await kv.get<Message>(keys.message(cid, seq));
  if (entry.value) {
    remember(cid, { message: entry.value, stamp: entry.versionstamp });
  }
  return entry.value;
}
