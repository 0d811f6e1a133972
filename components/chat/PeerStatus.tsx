/**
 * The line under the peer's name: "typing…", "online", "last seen today at 14:03",
 * "last seen yesterday at …" or "last seen <date>"; nothing when their last seen is hidden.
 */
import type { PublicPresence } from "../../lib/presence.ts";
import { type Clock, formatDay, formatTime } from "../format.ts";

/** The words for a presence, or "" when there is nothing to say. */
export function presenceText(
  presence: PublicPresence | undefined,
  clock: Clock,
): string {
  if (!presence) return "";
  if (presence.online) return "online";
  if (!presence.lastSeen) return "";
  const day = formatDay(presence.lastSeen, clock);
  const time = formatTime(presence.lastSeen, clock);
  if (day === "Today") return `last seen today at ${time}`;
  if (day === "Yesterday") return `last seen yesterday at ${time}`;
  return `last seen ${day}`;
}

export function PeerStatus(
  props: {
    presence?: PublicPresence;
    typing: boolean;
    /** A group's "bob is typing…" in place of "typing…". */
    typingText?: string;
    clock: Clock;
  },
) {
  const text = props.typing
    ? props.typingText || "typing…"
    : presenceText(props.presence, props.clock);
  return (
    <p class={props.typing ? "peer-status typing" : "peer-status"}>
      {text}
    </p>
  );
}
