/**
 * The rows of the message list: day separators, confirmed messages in server order, then
 * my unconfirmed ones (the outbox) with their status. Shared by the server render and the
 * chat island, so both produce the same markup.
 */
import type { JSX } from "preact";
import type { PublicMessage } from "../../lib/messages.ts";
import { type Clock, dayKey, formatDay, formatTime } from "../format.ts";
import type { OutboxItem } from "../../client/outbox.ts";

export interface MessageRowsProps {
  me: string;
  messages: PublicMessage[];
  outbox: OutboxItem[];
  clock: Clock;
  onRetry(item: OutboxItem): void;
}

/** The `<li>`s of the message list, or its empty state. */
export function MessageRows(props: MessageRowsProps): JSX.Element {
  const rows: JSX.Element[] = [];
  let lastDay = "";
  for (const m of props.messages) {
    const day = dayKey(m.sentAt, props.clock);
    if (day !== lastDay) {
      lastDay = day;
      rows.push(
        <li class="day" key={`day-${day}`}>
          <span>{formatDay(m.sentAt, props.clock)}</span>
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
          <span class="meta">
            <span class="sr-only">{mine ? "You, " : `${m.from}, `}</span>
            <time datetime={m.sentAt}>
              {formatTime(m.sentAt, props.clock)}
            </time>
            {mine && <span class="tick" aria-hidden="true">✓</span>}
          </span>
        </div>
      </li>,
    );
  }
  for (const item of props.outbox) {
    rows.push(
      <li
        class={`msg mine ${item.status}`}
        key={item.clientId}
        data-client-id={item.clientId}
      >
        <div class="bubble">
          <p class="text">{item.text}</p>
          <span class="meta">
            {item.status === "failed"
              ? (
                <>
                  <span class="status">not sent —</span>{" "}
                  <button
                    type="button"
                    class="link-button retry"
                    onClick={() => props.onRetry(item)}
                  >
                    retry
                  </button>
                </>
              )
              : <span class="status">{item.status}</span>}
          </span>
        </div>
      </li>,
    );
  }
  if (rows.length === 0) {
    return <li class="empty">No messages yet. Say hello!</li>;
  }
  return <>{rows}</>;
}
