/**
 * The message list: an "Older messages" link (a plain link without JavaScript), the rows,
 * an "N unread messages" divider before the first unread one, and the way back to the
 * newest when showing an older page.
 */
import { useMemo } from "preact/hooks";
import type { PublicMessage } from "../../lib/messages.ts";
import type { OutboxItem } from "../../client/outbox.ts";
import type { Clock } from "../format.ts";
import { MessageRows, type OutboxActions } from "./MessageRows.tsx";

export interface MessageListProps {
  me: string;
  peer: string;
  messages: PublicMessage[];
  outbox: OutboxItem[];
  clock: Clock;
  actions: OutboxActions;
  /** The cursor of the page above, or null at the first message. */
  older: string | null;
  onOlder: (event: Event) => void;
  firstUnreadId: string | null;
  unread: number;
  paged: boolean;
  /** A group's page (`/groups/:id`) instead of `/chat/:peer`; names above bubbles. */
  groupPath?: string;
}

// Stable empties, so memoised rows see the same props from one render to the next.
const NONE: PublicMessage[] = [];
const NO_OUTBOX: OutboxItem[] = [];

export function MessageList(props: MessageListProps) {
  // The divider splits the list in two (all "below" when there is none); memoised so a
  // keystroke does not rebuild it.
  const parts = useMemo(() => {
    const i = props.firstUnreadId
      ? props.messages.findIndex((m) => m.id === props.firstUnreadId)
      : -1;
    return i < 0 ? { above: NONE, below: props.messages, divider: false } : {
      above: props.messages.slice(0, i),
      below: props.messages.slice(i),
      divider: true,
    };
  }, [props.messages, props.firstUnreadId]);

  return (
    <ol class="message-list">
      {props.older && (
        <li class="older">
          <a
            href={`?before=${encodeURIComponent(props.older)}`}
            onClick={props.onOlder}
          >
            Older messages
          </a>
        </li>
      )}
      {parts.above.length > 0 && (
        <MessageRows
          me={props.me}
          messages={parts.above}
          outbox={NO_OUTBOX}
          clock={props.clock}
          actions={props.actions}
          showSenders={Boolean(props.groupPath)}
        />
      )}
      {parts.divider && (
        <li class="unread-divider" id="unread-divider">
          <span>
            {props.unread === 1
              ? "1 unread message"
              : `${props.unread} unread messages`}
          </span>
        </li>
      )}
      <MessageRows
        me={props.me}
        messages={parts.below}
        outbox={props.outbox}
        clock={props.clock}
        actions={props.actions}
        showSenders={Boolean(props.groupPath)}
      />
      {props.paged && (
        <li class="older">
          <a
            href={props.groupPath ?? `/chat/${encodeURIComponent(props.peer)}`}
          >
            Newest messages
          </a>
        </li>
      )}
    </ol>
  );
}
