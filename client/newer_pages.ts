/**
 * Catching up: fetches every page after the chat's cursor (on open past a long unread run,
 * and after the inbox reset). One run at a time; a request during a run makes it go round
 * again, so a message that arrived meanwhile is never skipped.
 */
import type { PublicMessage } from "../lib/messages.ts";

/** One page of the messages API. */
export interface MessagePage {
  messages: PublicMessage[];
  cursor: string;
  older?: string | null;
}

/** Fetches newer pages of one chat and hands each to `apply`. */
export class NewerPages {
  #state: "idle" | "running" | "again" = "idle";

  constructor(
    readonly options: {
      /** The chat's messages endpoint. */
      url: string;
      /** The cursor after the newest message shown. */
      cursor: () => string;
      apply: (page: MessagePage) => void;
    },
  ) {}

  /** True while a run is under way (the list may have a gap before new events). */
  get running(): boolean {
    return this.#state !== "idle";
  }

  /** Starts a run, or asks the one under way to go round once more. */
  async run(): Promise<void> {
    if (this.#state !== "idle") {
      this.#state = "again";
      return;
    }
    this.#state = "running";
    try {
      await this.#fetchAll();
      // A request during the fetch set "again" (TypeScript cannot see that through await).
      while ((this.#state as string) === "again") {
        this.#state = "running";
        await this.#fetchAll();
      }
    } finally {
      this.#state = "idle";
    }
  }

  async #fetchAll(): Promise<void> {
    const { url, cursor, apply } = this.options;
    for (;;) {
      const res = await fetch(
        `${url}?after=${encodeURIComponent(cursor())}&limit=100`,
        { cache: "no-store" },
      ).catch(() => null);
      if (!res?.ok) return;
      const page: MessagePage = await res.json();
      apply(page);
      if (page.messages.length === 0) return;
    }
  }
}
