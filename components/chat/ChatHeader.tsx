/** The chat's header (back link, avatar, name) and its connection banner. */
import type { InboxStatus } from "../../client/inbox.ts";

export function ChatHeader(
  props: { peer: string; connection: InboxStatus; path?: string },
) {
  const { connection } = props;
  return (
    <>
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
      <div class="connection" role="status">
        {connection === "offline" && (
          <p class="banner">Can’t reach Natter. Trying again…</p>
        )}
        {connection === "signed-out" && (
          <p class="banner">
            You are signed out.{" "}
            <a
              href={`/login?next=${
                encodeURIComponent(
                  props.path ?? `/chat/${encodeURIComponent(props.peer)}`,
                )
              }`}
            >
              Log in again
            </a>
          </p>
        )}
      </div>
    </>
  );
}
