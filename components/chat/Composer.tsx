/**
 * The message composer. It is the only part of the chat that reads the text being typed,
 * so a keystroke re-renders this form and nothing else (not the message list). Works as a
 * plain form post without JavaScript.
 */
import type { Signal } from "@preact/signals";
import type { Ref } from "preact";
import type { UploadItem } from "../../client/uploads.ts";
import { UploadTray } from "./UploadTray.tsx";
import { PaperclipIcon } from "./icons.tsx";

export interface ComposerProps {
  peer: string;
  /** Where the no-JS form posts, when not `/chat/:peer` (a group's page). */
  action?: string;
  text: Signal<string>;
  inputRef: Ref<HTMLTextAreaElement>;
  onInput(value: string): void;
  onSend(event?: Event): void;
  /** Files being attached (issue 14); picked with the paperclip or pasted. */
  uploads?: UploadItem[];
  onFiles?(files: FileList): void;
  onCancelUpload?(key: string): void;
}

/** The textarea and Send button under the message list. */
export function Composer(props: ComposerProps) {
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      props.onSend(event);
    }
  }
  function onPaste(event: ClipboardEvent) {
    const files = event.clipboardData?.files;
    if (files?.length && props.onFiles) {
      event.preventDefault();
      props.onFiles(files);
    }
  }
  return (
    <form
      class="composer"
      method="post"
      // Without JavaScript the file goes with the text in one multipart post.
      enctype="multipart/form-data"
      action={props.action ?? `/chat/${encodeURIComponent(props.peer)}`}
      onSubmit={props.onSend}
    >
      <UploadTray
        items={props.uploads ?? []}
        onCancel={(key) => props.onCancelUpload?.(key)}
      />
      <label class="button attach" title="Attach files">
        <PaperclipIcon />
        <span class="sr-only">Attach files</span>
        <input
          type="file"
          name="file"
          class="file-input"
          multiple
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            if (input.files?.length && props.onFiles) {
              props.onFiles(input.files);
              input.value = "";
            }
          }}
        />
      </label>
      <label for="message-text" class="sr-only">Message</label>
      <textarea
        id="message-text"
        name="text"
        ref={props.inputRef}
        rows={1}
        maxLength={4000}
        placeholder="Type a message"
        enterkeyhint="send"
        aria-describedby="composer-hint"
        value={props.text.value}
        onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
      <span id="composer-hint" class="sr-only">
        Enter sends, Shift+Enter starts a new line.
      </span>
      <button type="submit" class="button send">Send</button>
    </form>
  );
}
