/**
 * The chat island's receive loop. While the tab is visible it long polls (the server holds
 * the request until a message arrives or `wait` seconds pass); while hidden it asks every
 * 30 s. A failed or cut poll (offline, server restart, a host that evicts long requests)
 * just starts the next one after a backoff; coming back online or visible resyncs at once.
 * Browser-only; the server never imports this.
 */
import type { PublicMessage } from "../lib/messages.ts";
import { backoffMs } from "./outbox.ts";

export interface MessagePage {
  messages: PublicMessage[];
  cursor: string;
}

export type Connection = "online" | "offline" | "signed-out";

export interface PollerOptions {
  /** The messages endpoint, without query. */
  url: string;
  cursor(): string;
  onPage(page: MessagePage): void;
  onConnection(connection: Connection): void;
  /** Pause between polls when the server answers at once (it does not long poll). */
  fallbackIntervalMs: number;
}

export interface Poller {
  /** Ends a pause early (after a send, or when the network is back). */
  wake(): void;
  stop(): void;
}

export const LONG_POLL_SECONDS = 25;
const HIDDEN_INTERVAL_MS = 30_000;
/** An answer faster than this to a long poll with nothing new means `wait` was ignored. */
const QUICK_ANSWER_MS = 1000;
/** Extra time on top of `wait` before a poll counts as hung. */
const POLL_GRACE_MS = 15_000;

class SignedOut extends Error {}

/** Starts polling for messages after `options.cursor()`; call stop() on unmount. */
export function startPoller(options: PollerOptions): Poller {
  let stopped = false;
  let failures = 0;
  let inflight: AbortController | null = null;
  let endPause: (() => void) | null = null;
  /** Set when we abort a poll ourselves to start a fresh one: not a failure. */
  let restarting = false;
  const visible = () => document.visibilityState === "visible";

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        endPause = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      endPause = done;
    });

  async function pollOnce(wait: number): Promise<MessagePage> {
    const controller = new AbortController();
    inflight = controller;
    const timer = setTimeout(
      () => controller.abort(),
      wait * 1000 + POLL_GRACE_MS,
    );
    try {
      const query = new URLSearchParams({
        after: options.cursor(),
        wait: String(wait),
      });
      const res = await fetch(`${options.url}?${query}`, {
        headers: { accept: "application/json" },
        cache: "no-store",
        signal: controller.signal,
      });
      if (res.status === 401) throw new SignedOut();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.json();
    } finally {
      clearTimeout(timer);
      inflight = null;
    }
  }

  async function run() {
    while (!stopped) {
      const wait = visible() ? LONG_POLL_SECONDS : 0;
      const started = Date.now();
      restarting = false;
      try {
        const page = await pollOnce(wait);
        if (stopped) return;
        failures = 0;
        options.onConnection("online");
        options.onPage(page);
        if (!visible()) await pause(HIDDEN_INTERVAL_MS);
        else if (
          page.messages.length === 0 && Date.now() - started < QUICK_ANSWER_MS
        ) await pause(options.fallbackIntervalMs);
      } catch (error) {
        if (stopped) return;
        if (restarting) {
          restarting = false;
          continue;
        }
        if (error instanceof SignedOut) {
          options.onConnection("signed-out");
          return;
        }
        failures++;
        // One cut poll is normal (a proxy or host ending long requests): no banner for it.
        if (failures >= 2 || !navigator.onLine) {
          options.onConnection("offline");
        }
        await pause(backoffMs(failures));
      }
    }
  }

  const restart = () => {
    if (inflight) {
      restarting = true;
      inflight.abort();
    }
    endPause?.();
  };
  const resync = () => {
    if (!visible() || stopped) return;
    // A poll that has been failing may hang on a dead connection: start afresh.
    if (failures > 0) restart();
    else endPause?.();
  };
  // Back online: the poll in flight may sit on a connection that no longer exists.
  const onOnline = () => restart();
  const onOffline = () => options.onConnection("offline");
  document.addEventListener("visibilitychange", resync);
  addEventListener("online", onOnline);
  addEventListener("offline", onOffline);
  run();

  return {
    wake: () => endPause?.(),
    stop() {
      stopped = true;
      document.removeEventListener("visibilitychange", resync);
      removeEventListener("online", onOnline);
      removeEventListener("offline", onOffline);
      inflight?.abort();
      endPause?.();
    },
  };
}
