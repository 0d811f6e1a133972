/**
 * The message composer. It is the only part of the chat that reads the text being typed,
 * so a keystroke re-renders this form and nothing else (not the message list). Works as a
 * plain form post without JavaScript.
 */
import type { Signal } from "@preact/signals";
import type { Ref } from "preact";

export interface ComposerProps {
  peer: string;
  /** Where the no-JS form posts, when not `/chat/:peer` (a group's page). */
  action?: string;
  text: Signal<string>;
  inputRef: Ref<HTMLTextAreaElement>;
  onInput(value: string): void;
  onSend(event?: Event): void;
}

/** The textarea and Send button under the message list. */
export function Composer(props: ComposerProps) {
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      props.onSend(event);
    }
  }
  return (
    <form
      class="composer"
      method="post"
      action={props.action ?? `/chat/${encodeURIComponent(props.peer)}`}
      onSubmit={props.onSend}
    >
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
        required
      />
      <span id="composer-hint" class="sr-only">
        Enter sends, Shift+Enter starts a new line.
      </span>
      <button type="submit" class="button send">Send</button>
    </form>
  );
}
