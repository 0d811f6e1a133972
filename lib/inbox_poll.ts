/**
 * The inbox as a long poll, for clients that cannot hold the event stream: the stored
 * events after a cursor, or the ephemeral ones (typing, presence) that arrive meanwhile.
 */
import type { BusSignal } from "./bus.ts";
import {
  currentEventCursor,
  decodeEventCursor,
  encodeEventCursor,
  type InboxEvent,
  readEvents,
  sleepUntilWoken,
} from "./inbox.ts";
import { liveEvent } from "./live_signals.ts";
import { presenceFor } from "./presence.ts";
import type { SessionUser, State } from "../server/state.ts";

/**
 * The long poll: my events after `cursor`, held up to `waitSeconds` until one exists (or
 * an ephemeral one, typing or presence, arrives: it comes back with the same cursor).
 * Without a cursor it answers at once with none and the current cursor. Holding it keeps
 * me online.
 */
export async function pollEvents(
  state: State,
  me: SessionUser,
  options: { after?: string; waitSeconds: number; signal?: AbortSignal },
): Promise<{ events: InboxEvent[]; cursor: string }> {
  if (options.after === undefined) {
    return { events: [], cursor: await currentEventCursor(state, me) };
  }
  let stamp = decodeEventCursor(options.after);
  const deadline = Date.now() + options.waitSeconds * 1000;
  // Combined once per poll, so waits do not pile listeners onto the shared shutdown signal.
  const signals = [
    AbortSignal.any([
      state.shutdown,
      ...(options.signal ? [options.signal] : []),
    ]),
  ];
  // Subscribed before the first read, so a send between that read and the wait still wakes.
  let woken = false;
  // A signal that named me: the next read skips the empty check (lib/db/inbox.ts).
  let named = false;
  let wake: (() => void) | null = null;
  const live: BusSignal[] = [];
  const unsubscribe = state.bus.subscribe(me.id, (signal) => {
    if (signal.kind === "inbox") {
      woken = true;
      named ||= !signal.broad;
    } else live.push(signal);
    wake?.();
  });
  const release = options.waitSeconds > 0
    ? presenceFor(state).hold(me.id)
    : () => {};
  try {
    for (;;) {
      const changed = named;
      woken = named = false;
      const page = await readEvents(state, me, stamp, { changed });
      stamp = page.stamp;
      const ephemeral = await liveEvents(state, me, live.splice(0));
      const left = deadline - Date.now();
      if (page.events.length + ephemeral.length > 0 || left <= 0) {
        return {
          events: [...page.events.map((e) => e.event), ...ephemeral],
          cursor: encodeEventCursor(stamp),
        };
      }
      if (!woken && live.length === 0) {
        const held = await sleepUntilWoken(
          (fn) => {
            wake = fn;
            return () => wake = null;
          },
          left,
          signals,
        );
        if (!held) {
          return { events: [], cursor: encodeEventCursor(stamp) };
        }
      }
    }
  } finally {
    release();
    unsubscribe();
  }
}

/** The ephemeral events of some signals, in order. */
export async function liveEvents(
  state: State,
  me: SessionUser,
  signals: BusSignal[],
): Promise<InboxEvent[]> {
  const events: InboxEvent[] = [];
  for (const signal of signals) {
    const event = await liveEvent(state, me, signal);
    if (event) events.push(event);
  }
  return events;
}
