/** Applying `status` events to the messages on screen: forward only, up to a message. */
import type { MessageStatus, PublicMessage } from "../lib/messages.ts";

const RANK: Record<MessageStatus, number> = { sent: 0, delivered: 1, read: 2 };

/** A message on screen, with when its status was last seen to change (for the tooltip). */
export type ShownMessage = PublicMessage & { statusAt?: string };

/**
 * My messages up to and including `upTo` get at least `status`; the list is returned
 * unchanged (same array) when nothing moves, or when `upTo` is not on screen (it is then
 * older than everything shown, whose statuses the page already had).
 */
export function applyStatus(
  messages: ShownMessage[],
  me: string,
  upTo: string,
  status: MessageStatus,
  at: string,
): ShownMessage[] {
  const end = messages.findIndex((m) => m.id === upTo);
  if (end < 0) return messages;
  let changed = false;
  const next = messages.map((m, i) => {
    if (i > end || m.from !== me || RANK[m.status ?? "sent"] >= RANK[status]) {
      return m;
    }
    changed = true;
    return { ...m, status, statusAt: at };
  });
  return changed ? next : messages;
}
