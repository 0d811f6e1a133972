/**
 * The rows of the message list: day separators, confirmed messages in server order, then
 * my unconfirmed ones (the outbox) with their status. Shared by the server render and the
 * chat island, so both produce the same markup. Each row is memoised on its message and
 * its formatted time, so a render of the list (a new message, a status change) redraws
 * only the rows that changed, never all 2,000.
 */
import { type JSX } from "preact";
import { memo } from "../memo.ts";
import type { PublicMessage } from "../../lib/messages.ts";
import { type Clock, dayKey, formatDay, formatTime } from "../format.ts";
import { linkify } from "../linkify.ts";
import type { OutboxItem } from "../../client/outbox.ts";
import { Attachments } from "./Attachments.tsx";
import type { ShownMessage } from "../../client/statuses.ts";
import { Tick } from "./Tick.tsx";

/** What the writer can do with an unsent message. */
export interface OutboxActions {
  /** Send again (a failed send that retrying can fix, or the writer insists). */
  retry(item: OutboxItem): void;
  /** Put the text back into the composer, dropping the unsent message. */
  edit(item: OutboxItem): void;
  /** Drop the unsent message. */
  discard(item: OutboxItem): void;
}

export interface MessageRowsProps {
  me: string;
  messages: PublicMessage[];
  outbox: OutboxItem[];
  clock: Clock;
  actions: OutboxActions;
  /** In a group: each of the others' bubbles starts with the sender's name. */
  showSenders?: boolean;
}

/** One of eight name colours per person, the same in every group and tab. */
function hueClass(name: string): string {
  let h = 0;
  for (const c of name.toLowerCase()) h = (h * 31 + c.codePointAt(0)!) >>> 0;
  return `sender hue-${h % 8}`;
}

/** A message's text, with its http(s) links clickable and everything else plain text. */
export function MessageText(props: { text: string }): JSX.Element {
  return (
    <p class="text">
      {linkify(props.text).map((segment) =>
        "href" in segment
          ? (
            <a
              href={segment.href}
              rel="noopener noreferrer nofollow"
              target="_blank"
            >
              {segment.text}
            </a>
          )
          : segment.text
      )}
    </p>
  );
}

const MessageRow = memo(function MessageRow(
  props: {
    message: PublicMessage;
    mine: boolean;
    time: string;
    /** When the status last changed, as far as this tab saw; else the send time. */
    statusTime: string;
    showSender?: boolean;
    /** In a group, my ticks open "message info" (client/message_info.ts). */
    info?: boolean;
  },
) {
  const m = props.message;
  if (m.system) {
    return (
      <li class="system" data-message-id={m.id}>
        <span>{m.text}</span>
      </li>
    );
  }
  return (
    <li
      class={props.mine ? "msg mine" : "msg theirs"}
      data-message-id={m.id}
    >
      <div class="bubble">
        {props.showSender && (
          <span class={hueClass(m.from)} aria-hidden="true">{m.from}</span>
        )}
        <Attachments items={m.attachments ?? []} />
        {m.text && <MessageText text={m.text} />}
        <span class="meta">
          <span class="sr-only">{props.mine ? "You, " : `${m.from}, `}</span>
          <time datetime={m.sentAt}>{props.time}</time>
          {props.mine && !props.info && (
            <Tick status={m.status ?? "sent"} time={props.statusTime} />
          )}
          {props.mine && props.info && (
            <button type="button" class="msg-info" data-message-id={m.id}>
              <Tick status={m.status ?? "sent"} time={props.statusTime} />
              <span class="sr-only">, message info</span>
            </button>
          )}
        </span>
      </div>
    </li>
  );
});

const DayRow = memo(function DayRow(props: { label: string }) {
  return (
    <li class="day">
      <span>{props.label}</span>
    </li>
  );
});

const PendingRow = memo(function PendingRow(
  props: { item: OutboxItem; actions: OutboxActions },
) {
  const { item, actions } = props;
  const refused = item.status === "failed" && item.retryable === false;
  return (
    <li
      class={`msg mine ${item.status}`}
      data-client-id={item.clientId}
    >
      <div class="bubble">
        {item.attachments?.map((a) => (
          <p key={a.id} class="pending-file">📎 {a.name}</p>
        ))}
        {item.text && <MessageText text={item.text} />}
        <span class="meta">
          {item.status !== "failed" && (
            <span class="status">{item.status}</span>
          )}
          {item.status === "failed" && (
            <>
              <span class="status">not sent —</span> {refused
                ? (
                  <>
                    <button
                      type="button"
                      class="link-button edit"
                      onClick={() => actions.edit(item)}
                    >
                      edit
                    </button>{" "}
                    <button
                      type="button"
                      class="link-button discard"
                      onClick={() => actions.discard(item)}
                    >
                      discard
                    </button>
                  </>
                )
                : (
                  <button
                    type="button"
                    class="link-button retry"
                    onClick={() => actions.retry(item)}
                  >
                    retry
                  </button>
                )}
            </>
          )}
        </span>
      </div>
    </li>
  );
});

/** The `<li>`s of the message list, or its empty state. */
export const MessageRows = memo(
  function MessageRows(props: MessageRowsProps): JSX.Element {
    const rows: JSX.Element[] = [];
    let lastDay = "";
    for (const m of props.messages) {
      const day = dayKey(m.sentAt, props.clock);
      if (day !== lastDay) {
        lastDay = day;
        rows.push(
          <DayRow
            key={`day-${day}`}
            label={formatDay(m.sentAt, props.clock)}
          />,
        );
      }
      const time = formatTime(m.sentAt, props.clock);
      const statusAt = (m as ShownMessage).statusAt;
      rows.push(
        <MessageRow
          key={m.id}
          message={m}
          mine={m.from === props.me}
          time={time}
          statusTime={statusAt ? formatTime(statusAt, props.clock) : time}
          showSender={props.showSenders && m.from !== props.me}
          info={props.showSenders && m.from === props.me}
        />,
      );
    }
    for (const item of props.outbox) {
      rows.push(
        <PendingRow
          key={item.clientId}
          item={item}
          actions={props.actions}
        />,
      );
    }
    if (rows.length === 0) {
      return <li class="empty">No messages yet. Say hello!</li>;
    }
    return <>{rows}</>;
  },
);
