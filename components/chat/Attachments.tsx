/**
 * Attachments in a message bubble: photos as thumbnails that open the full picture (a link
 * without JavaScript, the viewer with it), other files as a card with an icon, the name,
 * the size and a download link. Width and height come with the message, so the bubble has
 * its final size before the thumbnail loads.
 */
import type { PublicAttachment } from "../../lib/attachment_shape.ts";
import { FileIcon } from "./icons.tsx";

/** A byte count as people read it: 512 B, 12 KB, 3.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The short label on a file's icon: its kind, from the type found in its bytes. */
function label(type: string): string {
  if (type === "application/pdf") return "PDF";
  if (/zip|compressed|tar|rar|7z|gzip/.test(type)) return "ZIP";
  if (type.startsWith("audio/")) return "AUDIO";
  if (type.startsWith("video/")) return "VIDEO";
  if (type.startsWith("image/")) return "IMG";
  return "FILE";
}

/** The thumbnail's box: the stored thumbnail size, at most 240 px wide in the bubble. */
function box(a: PublicAttachment): { width?: number; height?: number } {
  if (!a.width || !a.height) return {};
  const scale = Math.min(1, 240 / a.width, 240 / a.height);
  return {
    width: Math.round(a.width * scale),
    height: Math.round(a.height * scale),
  };
}

export function Attachments(props: { items: PublicAttachment[] }) {
  if (props.items.length === 0) return null;
  return (
    <ul class="attachments">
      {props.items.map((a) =>
        a.thumbnailUrl
          ? (
            <li key={a.id} class="attachment photo">
              <a
                href={a.url}
                class="photo-link"
                data-full={a.url}
                data-name={a.name}
                target="_blank"
                rel="noopener"
              >
                <img
                  src={a.thumbnailUrl}
                  alt={a.name}
                  {...box(a)}
                  loading="lazy"
                />
              </a>
            </li>
          )
          : (
            <li key={a.id} class="attachment file">
              <span class="file-icon">
                <FileIcon label={label(a.type)} />
              </span>
              <span class="file-name">{a.name}</span>
              <span class="file-size">{formatBytes(a.size)}</span>
              <a href={a.url} download={a.name} class="file-download">
                Download<span class="sr-only">{` ${a.name}`}</span>
              </a>
            </li>
          )
      )}
    </ul>
  );
}
