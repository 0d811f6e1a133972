/**
 * The inbox as Server-Sent Events: one `id:`/`event:`/`data:` block per event (the id is
 * the cursor after it, so a reconnecting EventSource resumes with `Last-Event-ID`), a
 * comment every `streamHeartbeatMs` so proxies and the browser know the line is alive, and
 * a clean end when the client goes away or the server shuts down.
 */
import type { BusSignal } from "../lib/bus.ts";
import type { DomainError } from "../lib/errors.ts";
import {
  type CursoredEvent,
  type InboxEvent,
  readEvents,
} from "../lib/inbox.ts";
import { liveEvents } from "../lib/inbox_poll.ts";
import { presenceFor } from "../lib/presence.ts";
import { keepAlive, type QuietWatch } from "./keep_alive.ts";
import type { SessionUser, State } from "./state.ts";

const encoder = new TextEncoder();

/** One SSE block; JSON never contains a raw newline, so `data:` is one line. */
export function formatEvent(e: CursoredEvent): string {
  return `id: ${e.cursor}\nevent: ${e.event.type}\ndata: ${
    JSON.stringify(e.event)
  }\n\n`;
}

/** An ephemeral event (typing, presence): no `id:`, so the stream's resume point stays. */
export function formatLiveEvent(event: InboxEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The shortest and longest reconnect delay a stream asks of its browser (`retry:`). */
export const RECONNECT_MS = { min: 1_000, max: 4_000 };

/**
 * A random reconnect delay for one stream. When a server restarts, every browser's
 * EventSource reconnects after its `retry:` delay; the same delay for all (the browser's
 * default) would bring them back in the same moment, a storm that keeps the new process
 * busy for seconds (docs/benchmarks.md, "Evening"). Spread, they arrive over 3 s.
 */
export function reconnectDelayMs(): number {
  const { min, max } = RECONNECT_MS;
  return min + Math.floor(Math.random() * (max - min));
}

/**
 * Streams `me`'s events after the batch already read (`first`), then every later one as
 * the bus wakes the stream. An expired cursor later on (more than the bound missed in one
 * go) ends the stream with a `cursor_expired` event, so the client reloads.
 */
export function eventStreamResponse(
  state: State,
  me: SessionUser,
  first: { events: CursoredEvent[]; stamp: string },
  requestSignal: AbortSignal,
): Response {
  const ended = new AbortController();
  // One combined signal per stream, listened to once: not `state.shutdown`, whose listener
  // list every held stream would share.
  const signal = AbortSignal.any([
    state.shutdown,
    requestSignal,
    ended.signal,
  ]);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const quiet: QuietWatch = {
        lastWrite: Date.now(),
        beat: () => write(": keep-alive\n\n"),
      };
      const write = (text: string) => {
        quiet.lastWrite = Date.now();
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          ended.abort();
        }
      };
      (async () => {
        // Woken by the bus from here on; `dirty` starts true so a commit between the
        // route's first read and this subscription is read at once, not after a heartbeat.
        let dirty = true;
        // Whether a signal named me (not a broad "maybe yours"): the read can skip the
        // inbox key's empty check.
        let named = false;
        // The pending wait's resolver: one promise per wait, no timer or listener.
        let wake: (() => void) | null = null;
        const wakeUp = () => {
          const resolve = wake;
          wake = null;
          resolve?.();
        };
        const live: BusSignal[] = [];
        const unsubscribe = state.bus.subscribe(me.id, (signal) => {
          if (signal.kind === "inbox") {
            dirty = true;
            named ||= !signal.broad;
          } else live.push(signal);
          wakeUp();
        });
        signal.addEventListener("abort", wakeUp, { once: true });
        const stopBeating = keepAlive(state.streamHeartbeatMs, quiet);
        // Holding the stream keeps me online until it ends.
        const release = presenceFor(state).hold(me.id);
        let stamp = first.stamp;
        write(`: connected\nretry: ${reconnectDelayMs()}\n\n`);
        for (const e of first.events) write(formatEvent(e));
        try {
          while (!signal.aborted) {
            if (live.length > 0) {
              for (const e of await liveEvents(state, me, live.splice(0))) {
                write(formatLiveEvent(e));
              }
              continue;
            }
            if (!dirty) {
              await new Promise<void>((resolve) => wake = resolve);
              continue;
            }
            const changed = named;
            dirty = named = false;
            const batch = await readEvents(state, me, stamp, { changed });
            for (const e of batch.events) write(formatEvent(e));
            stamp = batch.stamp;
          }
        } catch (error) {
          const code = (error as DomainError).code;
          if (code === "cursor_expired") {
            write(`event: cursor_expired\ndata: {"code":"cursor_expired"}\n\n`);
          } else if (!signal.aborted) console.error(error);
        } finally {
          stopBeating();
          signal.removeEventListener("abort", wakeUp);
          release();
          unsubscribe();
          try {
            controller.close();
          } catch {
            // Already cancelled by the client.
          }
        }
      })();
    },
    cancel() {
      ended.abort();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: no proxy or compression middleware may buffer or re-encode it.
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
