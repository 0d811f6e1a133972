/**
 * Delivery and read positions of a member's own messages: `…, "delivered"` (the others'
 * sessions have received my messages up to here) and `…, "seen"` (the others have read
 * them, as read receipts allow). Both live under the sender's own
 * `["user_conversations", userId, conversationId]`, so the sender's inbox lists them with
 * the rest of their state and a move is one of their events. Both only move forward.
 */
import { touchInboxes } from "./inbox.ts";
import { keys } from "./keys.ts";
import { commitWithRetry } from "./kv.ts";

/** A position in a conversation: a seq, the message there and when the position got there. */
export interface StatusMark {
  seq: number;
  messageId: string;
  at: string;
}

/** How far the others have received and read one member's messages. */
export interface StatusPositions {
  delivered: StatusMark | null;
  seen: StatusMark | null;
}

/** The delivered and seen positions of `ownerId`'s messages in one conversation. */
export async function getStatusPositions(
  kv: Deno.Kv,
  ownerId: string,
  cid: string,
): Promise<StatusPositions> {
  const [delivered, seen] = await kv.getMany<[StatusMark, StatusMark]>([
    keys.userConversationDelivered(ownerId, cid),
    keys.userConversationSeen(ownerId, cid),
  ]);
  return { delivered: delivered.value, seen: seen.value };
}

/**
 * Moves the delivered position of `ownerId`'s messages forward to `mark` (never back) and
 * touches the owner's inbox, so their tabs get a `status` event. Returns whether it moved.
 */
export async function markDelivered(
  kv: Deno.Kv,
  ownerId: string,
  cid: string,
  mark: StatusMark,
): Promise<boolean> {
  const key = keys.userConversationDelivered(ownerId, cid);
  return await commitWithRetry<boolean>(async () => {
    const current = await kv.get<StatusMark>(key);
    if ((current.value?.seq ?? 0) >= mark.seq) return { done: false };
    const op = kv.atomic().check(current).set(key, mark);
    touchInboxes(op, [ownerId]);
    return { op, result: true };
  }, "Cannot record delivery: try again");
}

/**
 * Adds to a read's commit what it means for the others' messages: delivered up to `mark`
 * always, read up to `mark` when `receipts` (both people allow read receipts). Entries are
 * the owners' current positions, read in the same attempt, so the commit checks them.
 */
export function addReadToOwners(
  op: Deno.AtomicOperation,
  owners: Array<{
    ownerId: string;
    cid: string;
    delivered: Deno.KvEntryMaybe<StatusMark>;
    seen: Deno.KvEntryMaybe<StatusMark>;
    receipts: boolean;
  }>,
  mark: StatusMark,
): string[] {
  const touched: string[] = [];
  for (const o of owners) {
    op.check(o.delivered, o.seen);
    let moved = false;
    if ((o.delivered.value?.seq ?? 0) < mark.seq) {
      op.set(keys.userConversationDelivered(o.ownerId, o.cid), mark);
      moved = true;
    }
    if (o.receipts && (o.seen.value?.seq ?? 0) < mark.seq) {
      op.set(keys.userConversationSeen(o.ownerId, o.cid), mark);
      moved = true;
    }
    if (moved) touched.push(o.ownerId);
  }
  if (touched.length > 0) touchInboxes(op, touched);
  return touched;
}
