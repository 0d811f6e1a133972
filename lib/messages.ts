/** Public shapes of chat data: what leaves the server, never a stored record. */
import type { Message, StatusPositions, User } from "./db/db.ts";
import {
  conversationApiPath,
  type PublicAttachment,
  toPublicAttachment,
} from "./attachment_shape.ts";

/** Where one of my messages has got to; it only moves forward. */
export type MessageStatus = "sent" | "delivered" | "read";

/** A message as the API and the island see it. */
export interface PublicMessage {
  id: string;
  from: string;
  to: string;
  text: string;
  sentAt: string;
  /** Only on the viewer's own messages: the id their client chose, to match its outbox. */
  clientId?: string;
  /** Files and photos sent with the message (issue 14); empty for text only. */
  attachments: PublicAttachment[];
  /** Only on the viewer's own messages: sent (stored), delivered, read. */
  status?: MessageStatus;
  /** A group message's group id (`to` is that id too). */
  conversation?: string;
  /** A group's membership or name change, written by the server. */
  system?: true;
}

/** The status of a message at `seq` given how far the others have received and read. */
export function statusAt(
  seq: number,
  positions: StatusPositions | undefined,
): MessageStatus {
  if (positions?.seen && positions.seen.seq >= seq) return "read";
  if (positions?.delivered && positions.delivered.seq >= seq) {
    return "delivered";
  }
  return "sent";
}

/**
 * Maps a stored message to its public shape as `viewerId` sees it; ids become the two
 * participants' names. The client id and the status are the sender's own business, so
 * only they get them (`positions`: how far the others have received and read).
 */
export function toPublicMessage(
  message: Message,
  participants: Array<Pick<User, "id" | "username">>,
  viewerId: string,
  positions?: StatusPositions,
): PublicMessage {
  const name = (id: string) =>
    participants.find((u) => u.id === id)?.username ?? "unknown";
  return {
    id: message.id,
    from: name(message.from),
    to: message.conversation ?? name(message.to),
    text: message.text,
    sentAt: message.sentAt,
    // Download URLs name the conversation as the viewer sees it: a group by its id, a
    // direct chat by the other member.
    attachments: (message.attachments ?? []).map((a) =>
      toPublicAttachment(
        a,
        conversationApiPath(
          message.conversation ? { groupId: message.conversation } : {
            peerName: name(
              message.from === viewerId ? message.to : message.from,
            ),
          },
        ),
      )
    ),
    ...(message.conversation ? { conversation: message.conversation } : {}),
    ...(message.system ? { system: true as const } : {}),
    ...(message.clientId && message.from === viewerId
      ? { clientId: message.clientId }
      : {}),
    ...(message.from === viewerId
      ? { status: statusAt(message.seq, positions) }
      : {}),
  };
}
