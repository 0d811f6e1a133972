/** Public shapes of chat data: what leaves the server, never a stored record. */
import type { Message, User } from "./db.ts";

/** A message as the API and the island see it. */
export interface PublicMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  sentAt: string;
}

/** Maps a stored message to its public shape; ids become the two participants' names. */
export function toPublicMessage(
  message: Message,
  participants: Array<Pick<User, "id" | "username">>,
): PublicMessage {
  const name = (id: string) =>
    participants.find((u) => u.id === id)?.username ?? "unknown";
  return {
    id: message.id,
    from: name(message.from),
    to: name(message.to),
    text: message.text,
    sentAt: message.sentAt,
  };
}
