/**
 * The chat island's outbox: my messages the server has not confirmed yet. Unsent ones are
 * kept in localStorage per conversation, so they survive a reload and are sent again with
 * the same client id (the server answers a repeated client id with the stored message).
 * A message the server refused (a 4xx that retrying cannot fix) is kept too, but marked
 * refused: after a reload it shows as failed, for the writer to edit or discard, and is
 * never sent again by itself. Browser-only; the server never imports this.
 */
import type { PublicMessage } from "../lib/messages.ts";
import type { PublicAttachment } from "../lib/attachment_shape.ts";

/** An uploaded file waiting to go out with a message. */
export type PendingAttachment = Omit<PublicAttachment, "url">;

export type OutboxStatus = "sending" | "sent" | "failed";

export interface OutboxItem {
  /** Sent with the text; makes a retried send exactly-once. */
  clientId: string;
  text: string;
  status: OutboxStatus;
  /** The server's id once the send was acknowledged. */
  id?: string;
  /** False when the server refused the message itself (e.g. 422): only a manual retry. */
  retryable?: boolean;
  /** Uploaded files sent with the text (issue 14). */
  attachments?: PendingAttachment[];
}

/** What a saved item looks like in storage. */
interface SavedItem {
  clientId: string;
  text: string;
  refused?: true;
  attachments?: PendingAttachment[];
}

/** True for an answer that sending the same request again cannot turn into a success. */
export function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 &&
    status !== 429 && status !== 401;
}

const STORAGE_PREFIX = "natter.outbox.v1";

/** The localStorage key of one signed-in user's outbox towards one peer. */
export function outboxKey(me: string, peer: string): string {
  return `${STORAGE_PREFIX}:${me.toLowerCase()}:${peer.toLowerCase()}`;
}

/**
 * Unsent items saved by an earlier page: ready to be sent again, except those the server
 * refused, which come back as failed and wait for the writer.
 */
export function loadOutbox(key: string): OutboxItem[] {
  try {
    const raw = JSON.parse(localStorage.getItem(key) ?? "[]");
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((x) =>
        typeof x?.clientId === "string" && typeof x?.text === "string"
      )
      .map((x): OutboxItem => ({
        clientId: x.clientId,
        text: x.text,
        ...(x.refused === true
          ? { status: "failed", retryable: false }
          : { status: "sending" }),
        ...(Array.isArray(x.attachments) ? { attachments: x.attachments } : {}),
      }));
  } catch {
    // Storage disabled (private mode, quota) or garbage: start empty.
    return [];
  }
}

/** Saves the items that still need sending; confirmed ones are in the server's history. */
export function saveOutbox(key: string, items: OutboxItem[]): void {
  const unsent = items
    .filter((item) => !item.id)
    .map(({ clientId, text, status, retryable, attachments }): SavedItem => ({
      clientId,
      text,
      ...(status === "failed" && retryable === false ? { refused: true } : {}),
      ...(attachments?.length ? { attachments } : {}),
    }));
  try {
    if (unsent.length === 0) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(unsent));
  } catch {
    // Without storage the outbox still works; it just does not survive a reload.
  }
}

/**
 * Drops the items the server's history already holds: matched by the server's id once a
 * send was acknowledged, or by client id (the server echoes it on my own messages) when
 * the acknowledgement was lost.
 */
export function withoutDelivered(
  items: OutboxItem[],
  delivered: Array<Pick<PublicMessage, "id" | "clientId">>,
): OutboxItem[] {
  const ids = new Set(delivered.map((m) => m.id));
  const clientIds = new Set(delivered.map((m) => m.clientId));
  return items.filter((i) =>
    !(i.id && ids.has(i.id)) && !clientIds.has(i.clientId)
  );
}

/** Milliseconds before attempt `failures + 1`: doubling from 1 s, capped, with jitter. */
export function backoffMs(failures: number, capMs = 30_000): number {
  const base = Math.min(capMs, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + Math.random() / 2));
}
