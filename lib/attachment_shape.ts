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

/** Where a direct conversation's attachment is downloaded, as seen by the peer's partner. */
export function attachmentUrl(peerName: string, id: string): string {
  return `/api/conversations/${encodeURIComponent(peerName)}/attachments/${id}`;
}

/** The public shape of an attachment of the conversation with `peerName`. */
export function toPublicAttachment(
  attachment: MessageAttachment & { thumbnail?: unknown },
  peerName: string,
): PublicAttachment {
  const url = attachmentUrl(peerName, attachment.id);
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
