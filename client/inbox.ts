/**
 * One live inbox per tab, shared by every island on the page (esbuild's code splitting
 * gives them one copy of this module). It holds `GET /api/events/stream` (Server-Sent
 * Events) and falls back to long polling `GET /api/events` when the stream cannot be held
 * (a proxy that buffers, an old browser). Hidden tabs keep the stream: no 30 s gap.
 * A `410 cursor_expired` (or the stream's `cursor_expired` event) tells listeners to
 * reload their state, then continues from the current cursor.
 * Browser-only; the server never imports this.
 */
import type { InboxEvent } from "../lib/inbox.ts";
import { backoffMs } from "./outbox.ts";

export type InboxStatus = "online" | "offline" | "signed-out";

export interface InboxListener {
  onEvent?(event: InboxEvent): void;
  /** Events were missed (cursor expired): reload whatever state you show. */
  onReset?(): void;
  onStatus?(status: InboxStatus): void;
}

export interface Inbox {
  /** Listens; returns the function that stops listening. */
  listen(listener: InboxListener): () => void;
}

const LONG_POLL_SECONDS = 25;
/** A stream that fails this many times in a row without delivering gives way to polling. */
const STREAM_FAILURES_BEFORE_POLLING = 3;

let shared: Inbox | null = null;

/**
 * The tab's inbox, started on first use from `cursor` (given by the page, so nothing
 * between its render and this connection is missed).
 */
export function connectInbox(cursor: string): Inbox {
  shared ??= startInbox(cursor);
  return shared;
}

function startInbox(initialCursor: string): Inbox {
  const listeners = new Set<InboxListener>();
  let cursor = initialCursor;
  const seen = new Set<string>();
  const emit = <K extends keyof InboxListener>(
    kind: K,
    ...args: Parameters<NonNullable<InboxListener[K]>>
  ) => {
    for (const l of [...listeners]) {
      // deno-lint-ignore no-explicit-any
      (l[kind] as any)?.(...args);
    }
  };
  const deliver = (event: InboxEvent, next: string) => {
    // Typing and presence are ephemeral: no cursor of their own, never deduplicated.
    if (event.type === "typing" || event.type === "presence") {
      emit("onEvent", event);
      return;
    }
    cursor = next;
    // The cursor makes events exactly-once already; this guards a stream and a poll that
    // overlapped while switching between them.
    const key = event.type === "message" || event.type === "conversation"
      ? `m:${event.message.id}`
      : event.type === "status"
      ? `s:${event.conversation.id}:${event.upTo}:${event.status}`
      : `${event.type}:${event.conversation.id}:${event.upTo}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (seen.size > 1000) seen.clear();
    emit("onEvent", event);
  };

  async function reset() {
    const res = await fetch("/api/events", { cache: "no-store" });
    if (res.ok) cursor = (await res.json()).cursor;
    emit("onReset");
  }

  let streamFailures = 0;
  let current: EventSource | null = null;
  function openStream() {
    current?.close();
    const source = current = new EventSource(
      `/api/events/stream?after=${encodeURIComponent(cursor)}`,
    );
    let delivered = false;
    const onEvent = (e: MessageEvent) => {
      delivered = true;
      streamFailures = 0;
      deliver(JSON.parse(e.data), e.lastEventId);
    };
    source.addEventListener("open", () => emit("onStatus", "online"));
    source.addEventListener("message", onEvent);
    for (
      const type of ["read", "status", "typing", "presence", "conversation"]
    ) {
      source.addEventListener(type, onEvent);
    }
    source.addEventListener("cursor_expired", () => {
      source.close();
      reset().finally(openStream);
    });
    source.addEventListener("error", () => {
      // EventSource reconnects by itself (with Last-Event-ID) unless the answer was not
      // a stream (401, 410, 5xx): then it closes, and we find out why with one poll.
      if (source.readyState !== EventSource.CLOSED) {
        emit("onStatus", "offline");
        return;
      }
      if (current === source) current = null;
      if (!delivered) streamFailures++;
      emit("onStatus", navigator.onLine ? "online" : "offline");
      if (streamFailures >= STREAM_FAILURES_BEFORE_POLLING) poll();
      else pollOnce(0).then((ok) => ok && setTimeout(openStream, 500));
    });
  }

  /** One long poll; false when signed out (stop), true to go on. */
  async function pollOnce(wait: number): Promise<boolean> {
    let res: Response;
    try {
      res = await fetch(
        `/api/events?after=${encodeURIComponent(cursor)}&wait=${wait}`,
        { cache: "no-store" },
      );
    } catch {
      emit("onStatus", "offline");
      await new Promise((r) => setTimeout(r, backoffMs(++failures)));
      return true;
    }
    if (res.status === 401) {
      emit("onStatus", "signed-out");
      return false;
    }
    if (res.status === 410) {
      await reset();
      return true;
    }
    if (!res.ok) {
      await new Promise((r) => setTimeout(r, backoffMs(++failures)));
      return true;
    }
    failures = 0;
    emit("onStatus", "online");
    const page = await res.json();
    for (const event of page.events) deliver(event, page.cursor);
    cursor = page.cursor;
    return true;
  }

  let failures = 0;
  async function poll() {
    while (await pollOnce(LONG_POLL_SECONDS));
  }

  if (typeof EventSource === "function") {
    openStream();
    // Back online: the stream may sit in a long reconnect delay; start it afresh now.
    addEventListener("online", () => current && openStream());
  } else poll();
  addEventListener("offline", () => emit("onStatus", "offline"));

  return {
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
