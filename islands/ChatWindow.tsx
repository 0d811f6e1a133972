/**
 * The chat window: the one island. The server renders it with the latest messages; in the
 * browser it sends messages and polls for new ones after its cursor. Confirmed messages
 * are only ever appended from the server's ordered list (deduplicated by id), so nothing
 * shows twice or out of order; my unconfirmed messages wait in an outbox below them.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import {
  type Clock,
  dayKey,
  formatDay,
  formatTime,
  SERVER_CLOCK_ZONE,
} from "../components/format.ts";
import type { PublicMessage } from "../lib/messages.ts";

export interface ChatWindowProps {
  me: string;
  peer: string;
  initialMessages: PublicMessage[];
  cursor: string;
  pollIntervalMs: number;
  /** A validation error from a no-JS form post, shown above the composer. */
  error?: string;
  draft?: string;
}

interface OutboxItem {
  clientId: string;
  text: string;
  status: "sending" | "sent" | "failed";
  /** The server's id once the send was acknowledged. */
  id?: string;
}

const SERVER_CLOCK: Clock = { timeZone: SERVER_CLOCK_ZONE, now: new Date(0) };

export default function ChatWindow(props: ChatWindowProps) {
  const messages = useSignal<PublicMessage[]>(props.initialMessages);
  const outbox = useSignal<OutboxItem[]>([]);
  const text = useSignal(props.draft ?? "");
  const error = useSignal(props.error ?? "");
  // Server markup uses UTC; after mounting, the browser's own zone and "now".
  const clock = useSignal<Clock>({ ...SERVER_CLOCK, now: new Date() });
  const cursor = useRef(props.cursor);
  const polling = useRef(false);
  const listRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const apiUrl = `/api/conversations/${
    encodeURIComponent(props.peer)
  }/messages`;

  async function poll(): Promise<void> {
    if (polling.current) return;
    polling.current = true;
    try {
      const res = await fetch(
        `${apiUrl}?after=${encodeURIComponent(cursor.current)}`,
        {
          headers: { accept: "application/json" },
        },
      );
      if (!res.ok) return;
      const body: { messages: PublicMessage[]; cursor: string } = await res
        .json();
      cursor.current = body.cursor;
      if (body.messages.length === 0) return;
      const known = new Set(messages.value.map((m) => m.id));
      const fresh = body.messages.filter((m) => !known.has(m.id));
      messages.value = [...messages.value, ...fresh];
      const arrived = new Set(fresh.map((m) => m.id));
      outbox.value = outbox.value.filter((item) =>
        !item.id || !arrived.has(item.id)
      );
    } catch {
      // Offline or server restarting: the next tick tries again.
    } finally {
      polling.current = false;
    }
  }

  async function deliver(item: OutboxItem): Promise<void> {
    const update = (patch: Partial<OutboxItem>) => {
      outbox.value = outbox.value.map((o) =>
        o.clientId === item.clientId ? { ...o, ...patch } : o
      );
    };
    update({ status: "sending" });
    try {
      const res = await fetch(apiUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify({ text: item.text, clientId: item.clientId }),
      });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        error.value = body?.error?.message ??
          `Could not send (HTTP ${res.status})`;
        update({ status: "failed" });
        return;
      }
      const body: { message: PublicMessage } = await res.json();
      update({ status: "sent", id: body.message.id });
      error.value = "";
      await poll();
    } catch {
      update({ status: "failed" });
    }
  }

  function send(event?: Event) {
    event?.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    const item: OutboxItem = {
      clientId: crypto.randomUUID(),
      text: value,
      status: "sending",
    };
    outbox.value = [...outbox.value, item];
    text.value = "";
    stickToBottom.current = true;
    deliver(item);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      send(event);
    }
  }

  useEffect(() => {
    clock.value = { now: new Date() };
    const timer = setInterval(poll, props.pollIntervalMs);
    return () => clearInterval(timer);
  }, []);

  // Keep the newest message in view unless the reader scrolled up.
  useEffect(() => {
    const list = listRef.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  });

  function onScroll() {
    const list = listRef.current;
    if (list) {
      stickToBottom.current =
        list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    }
  }

  const rows: preact.JSX.Element[] = [];
  let lastDay = "";
  for (const m of messages.value) {
    const day = dayKey(m.sentAt, clock.value);
    if (day !== lastDay) {
      lastDay = day;
      rows.push(
        <li class="day" key={`day-${day}`}>
          <span>{formatDay(m.sentAt, clock.value)}</span>
        </li>,
      );
    }
    const mine = m.from === props.me;
    rows.push(
      <li
        class={mine ? "msg mine" : "msg theirs"}
        key={m.id}
        data-message-id={m.id}
      >
        <div class="bubble">
          <p class="text">{m.text}</p>
          <time class="meta" datetime={m.sentAt}>
            {formatTime(m.sentAt, clock.value)}
          </time>
        </div>
      </li>,
    );
  }
  for (const item of outbox.value) {
    rows.push(
      <li class={`msg mine ${item.status}`} key={item.clientId}>
        <div class="bubble">
          <p class="text">{item.text}</p>
          <span class="meta">
            {item.status === "failed"
              ? (
                <>
                  not sent —{" "}
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => deliver(item)}
                  >
                    retry
                  </button>
                </>
              )
              : item.status}
          </span>
        </div>
      </li>,
    );
  }

  return (
    <section class="chat" aria-labelledby="chat-title">
      <header class="chat-header">
        <a href="/users" class="back">
          <span aria-hidden="true">←</span>
          <span class="sr-only">Back to chats</span>
        </a>
        <span class="avatar" aria-hidden="true">
          {props.peer.slice(0, 1).toUpperCase()}
        </span>
        <h1 id="chat-title">{props.peer}</h1>
      </header>
      <ol
        class="messages"
        ref={listRef}
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-label={`Messages with ${props.peer}`}
        tabIndex={0}
      >
        {rows.length === 0
          ? <li class="empty">No messages yet. Say hello!</li>
          : rows}
      </ol>
      {error.value && <p class="form-error" role="alert">{error.value}</p>}
      <form
        class="composer"
        method="post"
        action={`/chat/${encodeURIComponent(props.peer)}`}
        onSubmit={send}
      >
        <label for="message-text" class="sr-only">Message</label>
        <textarea
          id="message-text"
          name="text"
          rows={1}
          maxLength={4000}
          placeholder="Type a message"
          value={text.value}
          onInput={(e) => text.value = (e.target as HTMLTextAreaElement).value}
          onKeyDown={onKeyDown}
          required
        />
        <button type="submit" class="button send">Send</button>
      </form>
    </section>
  );
}
