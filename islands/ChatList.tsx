/**
 * The chat list pane: server-rendered, then live from the tab's inbox. A message moves its
 * chat to the top with a fresh preview and badge; a read (here or in another tab) clears
 * the badge. It also owns the tab's attention: the unread total in the title, the
 * notifications control and the optional sound.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { ConversationRows } from "../components/chat/ConversationRows.tsx";
import { type Clock, SERVER_CLOCK_ZONE } from "../components/format.ts";
import {
  notify,
  type NotifyState,
  notifyState,
  playBlip,
  setSound,
  soundOn,
  titleWithUnread,
  turnOffNotifications,
  turnOnNotifications,
} from "../client/attention.ts";
import { connectInbox } from "../client/inbox.ts";
import {
  presence,
  seedPresence,
  typing,
  watchPeerActivity,
} from "../client/peer_activity.ts";
import type { ConversationEntry, InboxEvent } from "../lib/inbox.ts";
import type { PublicPresence } from "../lib/presence.ts";

export interface ChatListProps {
  me: string;
  initial: ConversationEntry[];
  /** Peers' presence by lowercase username, as I may see it (then live). */
  presence: Record<string, PublicPresence>;
  eventsCursor: string;
  /** The peer of the chat open beside the list, if any. */
  active: string | null;
}

/** Newest activity first, as the server orders the list. */
function upsert(
  entries: ConversationEntry[],
  entry: ConversationEntry,
): ConversationEntry[] {
  const rest = entries.filter((e) => e.id !== entry.id);
  rest.push(entry);
  return rest.sort((a, b) =>
    b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id)
  );
}

export default function ChatList(props: ChatListProps) {
  const entries = useSignal(props.initial);
  const clock = useSignal<Clock>({
    timeZone: SERVER_CLOCK_ZONE,
    now: new Date(0),
  });
  const notifications = useSignal<NotifyState>("off");
  const sound = useSignal(false);
  const baseTitle = useRef("");

  function isOpenAndVisible(
    event: Extract<InboxEvent, { type: "message" }>,
  ): boolean {
    // `active` is the open chat's peer, or the open group's id.
    return (event.conversation.peer ?? event.conversation.id).toLowerCase() ===
        props.active?.toLowerCase() &&
      document.visibilityState === "visible";
  }

  function onEvent(event: InboxEvent) {
    if (event.type === "typing" || event.type === "presence") return;
    entries.value = upsert(entries.value, event.conversation);
    if (event.type !== "message" || event.message.from === props.me) return;
    if (isOpenAndVisible(event)) return;
    const href = event.conversation.peer === null
      ? `/groups/${event.conversation.id}`
      : `/chat/${encodeURIComponent(event.message.from)}`;
    notify(
      event.conversation.title,
      event.message.text,
      href,
      event.conversation.id,
    );
    if (sound.value) playBlip();
  }

  async function reload() {
    const res = await fetch("/api/conversations?limit=100", {
      cache: "no-store",
    });
    if (res.ok) entries.value = (await res.json()).conversations;
  }

  useEffect(() => {
    clock.value = { now: new Date() };
    baseTitle.current = document.title;
    notifications.value = notifyState();
    sound.value = soundOn();
    seedPresence(props.presence);
    watchPeerActivity(props.eventsCursor);
    return connectInbox(props.eventsCursor).listen({
      onEvent,
      onReset: reload,
    });
  }, []);

  const total = entries.value.reduce((n, e) => n + e.unread, 0);
  useEffect(() => {
    if (baseTitle.current) {
      document.title = titleWithUnread(baseTitle.current, total);
    }
  }, [total]);

  async function toggleNotifications() {
    notifications.value = notifications.value === "on"
      ? turnOffNotifications()
      : await turnOnNotifications();
  }

  return (
    <section class="chat-list" aria-labelledby="chat-list-title">
      <header class="chat-list-header">
        <h2 id="chat-list-title">Chats</h2>
        <div class="attention">
          {notifications.value !== "unsupported" && (
            <button
              type="button"
              class="link-button notify-toggle"
              disabled={notifications.value === "denied"}
              aria-pressed={notifications.value === "on"}
              onClick={toggleNotifications}
            >
              {notifications.value === "on"
                ? "Notifications on"
                : notifications.value === "denied"
                ? "Notifications blocked"
                : "Turn on notifications"}
            </button>
          )}
          <label class="sound-toggle">
            <input
              type="checkbox"
              checked={sound.value}
              onChange={(e) => {
                sound.value = (e.target as HTMLInputElement).checked;
                setSound(sound.value);
              }}
            />{" "}
            Sound
          </label>
        </div>
      </header>
      <ul class="user-list conversation-list">
        <ConversationRows
          me={props.me}
          entries={entries.value}
          active={props.active}
          clock={clock.value}
          presence={{ ...props.presence, ...presence.value }}
          typing={typing.value}
        />
      </ul>
    </section>
  );
}
