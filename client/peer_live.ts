/**
 * The chat window's live view of its peer, as one hook: their presence and "typing…" (from
 * client/peer_activity.ts), my typing notices to them, and the ticks of my messages moving
 * on `status` events.
 */
import type { Signal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import type { InboxEvent } from "../lib/inbox.ts";
import type { PublicPresence } from "../lib/presence.ts";
import type { Clock } from "../components/format.ts";
import { presence, typing, watchPeerActivity } from "./peer_activity.ts";
import { applyStatus, type ShownMessage } from "./statuses.ts";
import { TypingSender } from "./typing_sender.ts";
import { groupTypingText, typingInGroup } from "./typing_keys.ts";

export interface PeerLive {
  peer: string;
  clock: Clock;
  /** Their presence as I may see it (live once mounted). */
  presence: PublicPresence | undefined;
  typing: boolean;
  /** In a group, who: "bob is typing…". */
  typingText?: string;
  sender: TypingSender;
  /** Applies a `status` event of this chat; true when it was one. */
  onEvent(event: InboxEvent): boolean;
}

export function usePeerLive(options: {
  me: string;
  peer: string;
  /** Set for a group (`peer` is then its title): no presence, its own typing URL. */
  groupId?: string;
  eventsCursor: string;
  /** As the server rendered it. */
  presence?: PublicPresence;
  messages: Signal<ShownMessage[]>;
  clock: Signal<Clock>;
}): PeerLive {
  const group = options.groupId;
  // A group's title is not a username: presence and typing are keyed by the group's id.
  const key = group ?? options.peer.toLowerCase();
  const sender = useMemo(
    () =>
      new TypingSender(
        group
          ? `/api/groups/${encodeURIComponent(group)}/typing`
          : `/api/conversations/${encodeURIComponent(options.peer)}/typing`,
      ),
    [],
  );
  useEffect(() => watchPeerActivity(options.eventsCursor), []);
  return {
    peer: options.peer,
    clock: options.clock.value,
    presence: group ? undefined : presence.value[key] ?? options.presence,
    typing: group
      ? typingInGroup(typing.value, group).length > 0
      : typing.value.has(key),
    ...(group
      ? { typingText: groupTypingText(typingInGroup(typing.value, group)) }
      : {}),
    sender,
    onEvent(event) {
      if (
        event.type !== "status" ||
        (group
          ? event.conversation.id !== group
          : event.conversation.peer?.toLowerCase() !== key)
      ) return false;
      const m = options.messages;
      m.value = applyStatus(
        m.value,
        options.me,
        event.upTo,
        event.status,
        event.at,
      );
      return true;
    },
  };
}
