/** The public shape of an attachment and the URLs it is fetched from. */
import type { MessageAttachment } from "./db/attachments.ts";

/** An attachment as the API, the inbox and the page see it. */
export interface PublicAttachment {
  id: string;
  name: string;
  type: string;
  size: number;
  url: string;
  thumbnailUrl?: string;
  width?: number;
  height?: number;
}

/**
 * The API path of a conversation as `viewer` reaches it: a group's by its id, a direct
 * one's by the other member's name.
 */
export function conversationApiPath(
  where: { groupId: string } | { peerName: string },
): string {
  return "groupId" in where
    ? `/api/groups/${encodeURIComponent(where.groupId)}`
    : `/api/conversations/${encodeURIComponent(where.peerName)}`;
}

/** The public shape of an attachment of the conversation at `conversationPath`. */
export function toPublicAttachment(
  attachment: MessageAttachment & { thumbnail?: unknown },
  conversationPath: string,
): PublicAttachment {
  const url = `${conversationPath}/attachments/${attachment.id}`;
  return {
    id: attachment.id,
    name: attachment.name,
    type: attachment.type,
    size: attachment.size,
    url,
    ...(attachment.thumbnail ? { thumbnailUrl: `${url}/thumbnail` } : {}),
    ...(attachment.width
      ? { width: attachment.width, height: attachment.height }
      : {}),
  };
}

/** The upload endpoint's answer: what the sender attaches to a message next. */
export function toUploadedAttachment(
  record: Pick<
    MessageAttachment,
    "id" | "name" | "type" | "size" | "width" | "height"
  >,
): Pick<
  PublicAttachment,
  "id" | "name" | "type" | "size" | "width" | "height"
> {
  return {
    id: record.id,
    name: record.name,
    type: record.type,
    size: record.size,
    ...(record.width ? { width: record.width, height: record.height } : {}),
  };
}
