/**
 * Cross-process wake-ups without a shared bus: several processes may serve one KV file,
 * and `kv.watch` on a local file never sees another process's writes. So while anyone here
 * holds an inbox request, ONE timer lists `["inbox_writers"]` (one small range read, a key
 * per process) and, when another process has committed since the last look, wakes every
 * local subscriber, each of whom re-reads its own inbox key. Bounded: one read per
 * interval, whatever the number of users; never a watch per user.
 */
import type { Bus } from "./bus.ts";
import type { Db } from "./db/db.ts";

/** How often other processes' commits are looked for while someone is subscribed. */
export const WRITER_CHECK_MS = 250;

/** Starts the shared check; returns the function that stops it. */
export function watchOtherWriters(
  db: Db,
  bus: Bus,
  intervalMs = WRITER_CHECK_MS,
): () => void {
  let seen: Map<string, string> | null = null;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    // A healthy shared bus carries other processes' wake-ups itself; when it goes down,
    // `seen` is null and the first look wakes everyone once.
    if (bus.subscribedUsers === 0 || bus.health?.() === "ok") {
      seen = null;
      return;
    }
    busy = true;
    try {
      const writers = await db.listOtherWriters();
      const changed = seen !== null &&
        [...writers].some(([id, stamp]) => seen!.get(id) !== stamp);
      // The first look after a quiet spell has nothing to compare with: wake once to be safe.
      if (changed || seen === null) bus.publishAll();
      seen = writers;
    } catch {
      // KV busy or closing: the next tick tries again.
    } finally {
      busy = false;
    }
  }, intervalMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
