/**
 * The rows of the chat list: avatar, name, preview, time and unread badge. Shared by the
 * server render and the ChatList island, so both produce the same markup.
 */
import type { JSX } from "preact";
import type { ConversationEntry } from "../../lib/inbox.ts";
import type { PublicPresence } from "../../lib/presence.ts";
import { type Clock, formatWhen } from "../format.ts";
import { groupTypingText, typingInGroup } from "../../client/typing_keys.ts";

export interface ConversationRowsProps {
  me: string;
  entries: ConversationEntry[];
  /** The open chat's peer, marked as the current page. */
  active: string | null;
  clock: Clock;
  /** Peers' presence by lowercase username: online ones get a dot. */
  presence?: Record<string, PublicPresence>;
  /** Who is typing to me (client/typing_keys.ts): the preview reads "typing…". */
  typing?: ReadonlySet<string>;
}

/** The `<li>`s of the chat list, or its empty state. */
export function ConversationRows(props: ConversationRowsProps): JSX.Element {
  if (props.entries.length === 0) {
    return <li class="empty">No chats yet. Find someone below.</li>;
  }
  return (
    <>
      {props.entries.map((entry) => {
        const href = entry.peer
          ? `/chat/${encodeURIComponent(entry.peer)}`
          : `/groups/${encodeURIComponent(entry.id)}`;
        const last = entry.lastMessage;
        const key = entry.peer?.toLowerCase() ?? "";
        const current = (entry.peer ?? entry.id).toLowerCase() ===
          props.active?.toLowerCase();
        const online = entry.peer !== null &&
          Boolean(props.presence?.[key]?.online);
        const typing = entry.peer !== null
          ? props.typing?.has(key) && "typing…"
          : groupTypingText(typingInGroup(props.typing ?? new Set(), entry.id));
        return (
          <li key={entry.id} data-conversation={entry.title}>
            <a
              href={href}
              class={entry.unread > 0 ? "user-row has-unread" : "user-row"}
              aria-current={current ? "page" : undefined}
            >
              <span class="avatar" aria-hidden="true">
                {entry.title.slice(0, 1).toUpperCase()}
                {online && <span class="presence-dot" />}
              </span>
              <span class="user-main">
                <span class="user-name">{entry.title}</span>
                {online && <span class="sr-only">(online)</span>}
                <span class={typing ? "user-preview typing" : "user-preview"}>
                  {typing
                    ? typing
                    : last === null
                    ? "No messages yet"
                    : `${
                      last.from === props.me
                        ? "You: "
                        : entry.kind === "group"
                        ? `${last.from}: `
                        : ""
                    }${last.text}`}
                </span>
              </span>
              <span class="user-meta">
                {last && (
                  <time datetime={last.sentAt}>
                    {formatWhen(last.sentAt, props.clock)}
                  </time>
                )}
                {entry.unread > 0 && (
                  <>
                    <span class="badge" aria-hidden="true">{entry.unread}</span>
                    <span class="sr-only">{`${entry.unread} unread`}</span>
                  </>
                )}
              </span>
            </a>
          </li>
        );
      })}
    </>
  );
}
