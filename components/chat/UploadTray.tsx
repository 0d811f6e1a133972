/** The files being attached to the next message: a progress bar and a cancel button each. */
import type { UploadItem } from "../../client/uploads.ts";
import { formatBytes } from "./Attachments.tsx";

export function UploadTray(
  props: { items: UploadItem[]; onCancel(key: string): void },
) {
  if (props.items.length === 0) return null;
  return (
    <ul class="upload-tray" aria-label="Attachments for the next message">
      {props.items.map((item) => (
        <li key={item.key} class={`upload ${item.status}`}>
          <span class="upload-name">{item.name}</span>
          <span class="upload-size">{formatBytes(item.size)}</span>
          {item.status === "uploading" && (
            <progress
              max={Math.max(1, item.size)}
              value={item.loaded}
              aria-label={`Uploading ${item.name}`}
            />
          )}
          {item.status === "done" && <span class="upload-state">ready</span>}
          {item.status === "failed" && (
            <span class="upload-state" role="alert">{item.error}</span>
          )}
          <button
            type="button"
            class="link-button upload-cancel"
            aria-label={`Remove ${item.name}`}
            onClick={() =>
              props.onCancel(item.key)}
          >
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}
