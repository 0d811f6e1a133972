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

/** One "delivered up to here" for the messages of `ownerId` in conversation `cid`. */
export interface DeliveryMark {
  ownerId: string;
  cid: string;
  mark: StatusMark;
}

/** Delivery marks one commit can carry: two checks each, within denokv's ten. */
export const MAX_DELIVERY_MARKS = 5;

/**
 * Moves several delivered positions forward (never back) in one commit that checks each
 * one it moves and the owner's conversation row (so nothing is written for a user deleted
 * meanwhile), and touches the owners' inboxes so their tabs get `status` events. Returns
 * the owners whose positions moved.
 */
export async function markDelivered(
  kv: Deno.Kv,
  marks: DeliveryMark[],
): Promise<string[]> {
  if (marks.length > MAX_DELIVERY_MARKS) {
    throw new Error(`At most ${MAX_DELIVERY_MARKS} delivery marks per commit`);
  }
  const keyOf = (m: DeliveryMark) =>
    keys.userConversationDelivered(m.ownerId, m.cid);
  return await commitWithRetry<string[]>(async () => {
    const current = await kv.getMany<unknown[]>(
      marks.flatMap((m) => [keyOf(m), keys.userConversation(m.ownerId, m.cid)]),
    );
    const op = kv.atomic();
    const owners: string[] = [];
    marks.forEach((m, i) => {
      const [mark, row] = [current[2 * i], current[2 * i + 1]];
      if (!row.value) return;
      if (((mark.value as StatusMark | null)?.seq ?? 0) >= m.mark.seq) return;
      op.check(mark, row).set(keyOf(m), m.mark);
      owners.push(m.ownerId);
    });
    if (owners.length === 0) return { done: [] };
    touchInboxes(op, owners);
    return { op, result: owners };
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
