/** The chat's header (back link, avatar, name, presence) and its connection banner. */
import type { InboxStatus } from "../../client/inbox.ts";
import type { PublicPresence } from "../../lib/presence.ts";
import type { Clock } from "../format.ts";
import { PeerStatus } from "./PeerStatus.tsx";

export function ChatHeader(
  props: {
    peer: string;
    connection: InboxStatus;
    /** Under the name: "typing…", else online or last seen. */
    presence?: PublicPresence;
    typing: boolean;
    typingText?: string;
    clock: Clock;
    /** This page's path, for "Log in again" (a group's page is not /chat/<peer>). */
    path?: string;
  },
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
        <div class="chat-title">
          <h1 id="chat-title">{props.peer}</h1>
          <PeerStatus {...props} />
        </div>
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
