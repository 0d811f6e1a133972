/**
 * Sends a chat's outbox through the JSON API: one message at a time, so they reach the
 * server in the order typed, each with its client id, so a retry after a lost answer is
 * a confirmation and never a second copy. Plain TypeScript: the island owns the state and
 * hands in how to read and change it.
 */
import { backoffMs, isRefusal, type OutboxItem } from "./outbox.ts";

/** A send with no answer after this long is treated as failed (and retried). */
const SEND_TIMEOUT_MS = 20_000;

/** How the sender reads and changes the island's state. */
export interface SenderHooks {
  /** The messages endpoint of this chat. */
  url: string;
  items(): OutboxItem[];
  update(change: (items: OutboxItem[]) => OutboxItem[]): void;
  /** The server stored `clientId`'s message under `id`. */
  confirmed(clientId: string, id: string): void;
  /** A message for the person (empty: clear it). */
  showError(message: string): void;
  /** The session is gone: the item stays queued for after the next login. */
  signedOut(): void;
}

/** Drives the outbox: `pump()` after queueing, `retryAll()` when retrying can help. */
export class OutboxSender {
  #busy = false;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly hooks: SenderHooks) {}

  /** Sends queued items one at a time until none is left or one must wait. */
  async pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (;;) {
        const item = this.hooks.items().find((i) =>
          i.status === "sending" && !i.id
        );
        if (!item) break;
        if (await this.#post(item) === "later") {
          // Keep the order: this item and every one queued after it wait together.
          this.hooks.update((items) =>
            items.map((i) =>
              i.status === "sending" && !i.id
                ? { ...i, status: "failed", retryable: true }
                : i
            )
          );
          this.#failures++;
          clearTimeout(this.#timer);
          this.#timer = setTimeout(
            () => this.retryAll(),
            backoffMs(this.#failures),
          );
          return;
        }
        this.#failures = 0;
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Puts failed items back in the queue: `item` always, the others if retrying can help. */
  retryAll(item?: OutboxItem): void {
    clearTimeout(this.#timer);
    this.hooks.update((items) =>
      items.map((i) =>
        i.status === "failed" &&
          (i.retryable !== false || i.clientId === item?.clientId)
          ? { ...i, status: "sending" }
          : i
      )
    );
    this.pump();
  }

  /** Stops the retry timer (the island is going away). */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #mark(clientId: string, patch: Partial<OutboxItem>) {
    this.hooks.update((items) =>
      items.map((i) => i.clientId === clientId ? { ...i, ...patch } : i)
    );
  }

  /** Sends one item; "later" means a network or server trouble worth retrying. */
  async #post(item: OutboxItem): Promise<"done" | "later"> {
    let res: Response;
    try {
      res = await fetch(this.hooks.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify({
          text: item.text,
          clientId: item.clientId,
          ...(item.attachments?.length
            ? { attachments: item.attachments.map((a) => a.id) }
            : {}),
        }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch {
      return "later";
    }
    const body = await res.json().catch(() => null);
    if (res.ok && body?.message?.id) {
      this.hooks.confirmed(item.clientId, body.message.id);
      this.hooks.showError("");
      return "done";
    }
    const message = body?.error?.message ??
      `Could not send (HTTP ${res.status})`;
    if (res.status === 401) {
      this.hooks.signedOut();
      this.#mark(item.clientId, { status: "failed", retryable: true });
      return "done";
    }
    if (!isRefusal(res.status)) {
      if (res.status === 429) this.hooks.showError(message);
      return "later";
    }
    // Refused for what it is (too long, not allowed…): sending it again, now or after a
    // reload, would be refused again. It waits, marked failed, for an edit or a discard.
    this.hooks.showError(message);
    this.#mark(item.clientId, { status: "failed", retryable: false });
    return "done";
  }
}
