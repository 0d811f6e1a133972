/**
 * Tells the server "I am typing" while the person types: at most one notice per 3 s, none
 * for an empty box. Fire and forget: a
 * lost notice only means the peer misses one "typing…".
 */

/** At most one notice per this many milliseconds. */
export const TYPING_NOTICE_MS = 3_000;

export class TypingSender {
  #last = -Infinity;

  constructor(readonly url: string) {}

  /** The composer's text changed. */
  input(text: string): void {
    // An emptied box (cleared, or sent): no notice, and the next keystroke notifies at once.
    if (text.trim() === "") {
      this.#last = -Infinity;
      return;
    }
    const now = Date.now();
    if (now - this.#last < TYPING_NOTICE_MS) return;
    this.#last = now;
    fetch(this.url, { method: "POST", keepalive: true }).catch(() => {
      // Offline: nothing to tell anyone.
    });
  }
}
