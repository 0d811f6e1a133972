/** Public shapes of chat data: what leaves the server, never a stored record. */
import type { Message, User } from "./db/db.ts";

/** A message as the API and the island see it. */
export interface PublicMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  sentAt: string;
  /** Only on the viewer's own messages: the id their client chose, to match its outbox. */
  clientId?: string;
  /** A group message's group id (`to` is that id too). */
  conversation?: string;
  /** A group's membership or name change, written by the server. */
  system?: true;
}

/**
 * Maps a stored message to its public shape as `viewerId` sees it; ids become the two
 * participants' names. The client id is the sender's own business, so only they get it.
 */
export function toPublicMessage(
  message: Message,
  participants: Array<Pick<User, "id" | "username">>,
  viewerId: string,
): PublicMessage {
  const name = (id: string) =>
    participants.find((u) => u.id === id)?.username ?? "unknown";
  return {
    id: message.id,
    from: name(message.from),
    to: message.conversation ?? name(message.to),
    text: message.text,
    sentAt: message.sentAt,
    ...(message.conversation ? { conversation: message.conversation } : {}),
    ...(message.system ? { system: true as const } : {}),
    ...(message.clientId && message.from === viewerId
      ? { clientId: message.clientId }
      : {}),
  };
}
