/**
 * Delivery and read status in groups (issue 13). Each member's own positions (how far
 * they received and read) live in one record per group, `["conversations", gid,
 * "positions"]`, which every move reads and checks: that one check serialises the moves
 * of a group, so at most 10 checks are ever needed however large it is. A move also logs
 * when it happened (`…, "receipt_log", userId, kind, seq`) for the sender's "read by".
 *
 * A sender's status is the least advanced of the others who were members when it was sent:
 * a member who joined at seq j stands at j − 1 or later for everything, and with read
 * receipts off (theirs or the sender's) never at "read". From the per-member positions
 * each sender's own `delivered`/`seen` marks (lib/db/receipts.ts) are recomputed in the
 * same commit, so the inbox emits `status` events exactly as for a direct chat.
 */
import type { GroupRecord } from "./groups.ts";
import { touchInboxes } from "./inbox.ts";
import { keys } from "./keys.ts";
import { commit, commitWithRetry } from "./kv.ts";
import type { Message } from "./messages.ts";
import type { StatusMark } from "./receipts.ts";

/** One member's positions in a group (seqs); `sd`/`sr` are where their own marks stand. */
export interface MemberPositions {
  d: number;
  r: number;
  sd: number;
  sr: number;
}

/** The positions record of a group. */
export interface GroupPositions {
  members: Record<string, MemberPositions>;
}

/** A member received (`delivered`) or read the group up to `seq` at `at`. */
export interface GroupMove {
  userId: string;
  kind: "delivered" | "read";
  seq: number;
  at: string;
}

/** Moves one commit carries: with up to 256 senders' marks it stays under 1,000 mutations. */
export const MAX_GROUP_MOVES = 40;
/** How many recent messages a recomputation looks through for each sender's newest. */
const SCAN_LIMIT = 5_000;

/** The group's positions record (empty before the first move). */
export async function getGroupPositions(
  kv: Deno.Kv,
  gid: string,
): Promise<GroupPositions> {
  return (await kv.get<GroupPositions>(keys.groupPositions(gid))).value ??
    { members: {} };
}

/** The smallest value of `f` over the roster with `except` left out, for each member. */
function minExcept(
  group: GroupRecord,
  f: (userId: string, joinedSeq: number) => number,
): Map<string, number> {
  const values = group.roster.map((m) => ({
    id: m.userId,
    v: f(m.userId, m.joinedSeq),
  }));
  const sorted = [...values].sort((a, b) => a.v - b.v);
  const out = new Map<string, number>();
  for (const { id } of values) {
    const other = sorted[0]?.id === id ? sorted[1] : sorted[0];
    // Alone in the group: nobody else to deliver to.
    out.set(id, other ? other.v : 0);
  }
  return out;
}

/**
 * Where each member's messages stand: `delivered` and `read` seqs (every message of theirs
 * up to there has that status). `receipts` says who allows read receipts.
 */
export function groupStatusTargets(
  group: GroupRecord,
  positions: GroupPositions,
  receipts: (userId: string) => boolean,
): Map<string, { delivered: number; read: number }> {
  const p = (id: string) => positions.members[id];
  const delivered = minExcept(
    group,
    (id, j) => Math.max(p(id)?.d ?? 0, p(id)?.r ?? 0, j - 1),
  );
  const read = minExcept(
    group,
    (id, j) => receipts(id) ? Math.max(p(id)?.r ?? 0, j - 1) : j - 1,
  );
  const out = new Map<string, { delivered: number; read: number }>();
  for (const m of group.roster) {
    out.set(m.userId, {
      delivered: delivered.get(m.userId)!,
      read: receipts(m.userId) ? read.get(m.userId)! : 0,
    });
  }
  return out;
}

/**
 * Applies members' moves (forward only) and recomputes every sender's status marks, in one
 * commit checked against the record and the positions; with no moves, only recomputes.
 * Returns the users whose inboxes were touched (senders whose status moved).
 */
export async function moveGroupPositions(
  kv: Deno.Kv,
  gid: string,
  moves: GroupMove[],
  receipts: (userId: string) => boolean,
): Promise<string[]> {
  if (moves.length > MAX_GROUP_MOVES) {
    throw new Error(`At most ${MAX_GROUP_MOVES} group moves per commit`);
  }
  return await commitWithRetry<string[]>(async () => {
    const [record, stored] = await kv.getMany<[GroupRecord, GroupPositions]>([
      keys.conversation(gid),
      keys.groupPositions(gid),
    ]);
    const group = record.value;
    if (group?.kind !== "group") return { done: [] };
    const positions: GroupPositions = structuredClone(
      stored.value ?? { members: {} },
    );
    const op = kv.atomic().check(record, stored);
    let changed = false;
    for (const move of moves) {
      if (!group.members.includes(move.userId)) continue;
      const mine = positions.members[move.userId] ??= {
        d: 0,
        r: 0,
        sd: 0,
        sr: 0,
      };
      // Reading implies receiving.
      const kinds = move.kind === "read"
        ? (["r", "d"] as const)
        : (["d"] as const);
      for (const k of kinds) {
        if (mine[k] >= move.seq) continue;
        mine[k] = move.seq;
        op.set(
          keys.groupReceiptLog(
            gid,
            move.userId,
            k === "r" ? "read" : "delivered",
            move.seq,
          ),
          move.at,
        );
        changed = true;
      }
    }
    // No moves at all: a recomputation (someone left, who may have been holding others up).
    if (!changed && moves.length > 0) return { done: [] };
    const at = moves.at(-1)?.at ?? new Date().toISOString();
    const touched = await addSenderMarks(
      kv,
      op,
      group,
      positions,
      receipts,
      at,
    );
    op.set(keys.groupPositions(gid), positions);
    if (touched.length > 0) touchInboxes(op, touched);
    return { op, result: touched };
  }, "Cannot record the group's receipts: try again");
}

/**
 * Moves each sender's `delivered`/`seen` mark to their newest message the others have all
 * received / read, found in one scan of the messages the marks move over.
 */
async function addSenderMarks(
  kv: Deno.Kv,
  op: Deno.AtomicOperation,
  group: GroupRecord,
  positions: GroupPositions,
  receipts: (userId: string) => boolean,
  at: string,
): Promise<string[]> {
  const targets = groupStatusTargets(group, positions, receipts);
  let low = Infinity;
  let high = 0;
  for (const [id, t] of targets) {
    const mine = positions.members[id] ??= { d: 0, r: 0, sd: 0, sr: 0 };
    if (t.delivered > mine.sd) {
      low = Math.min(low, mine.sd);
      high = Math.max(high, t.delivered);
    }
    if (t.read > mine.sr) {
      low = Math.min(low, mine.sr);
      high = Math.max(high, t.read);
    }
  }
  if (high === 0) return [];
  // Newest first: each sender's messages in (low, high], newest first.
  const bySender = new Map<string, Array<{ seq: number; id: string }>>();
  const iter = kv.list<Message>({
    start: keys.message(group.id, low + 1),
    end: keys.message(group.id, high + 1),
  }, { reverse: true, limit: SCAN_LIMIT });
  for await (const entry of iter) {
    const m = entry.value;
    if (m.system) continue;
    const list = bySender.get(m.from) ?? [];
    list.push({ seq: m.seq, id: m.id });
    bySender.set(m.from, list);
  }
  const touched: string[] = [];
  for (const [id, t] of targets) {
    const mine = positions.members[id];
    const own = bySender.get(id) ?? [];
    for (
      const [kind, target, from] of [
        ["delivered", t.delivered, mine.sd],
        ["read", t.read, mine.sr],
      ] as const
    ) {
      if (target <= from) continue;
      const newest = own.find((m) => m.seq <= target && m.seq > from);
      if (kind === "delivered") mine.sd = target;
      else mine.sr = target;
      if (!newest) continue;
      const mark: StatusMark = { seq: newest.seq, messageId: newest.id, at };
      op.set(
        kind === "delivered"
          ? keys.userConversationDelivered(id, group.id)
          : keys.userConversationSeen(id, group.id),
        mark,
      );
      if (!touched.includes(id)) touched.push(id);
    }
  }
  return touched;
}

/** Removes a former member's positions and receipt log from the group. */
export async function forgetGroupMember(
  kv: Deno.Kv,
  gid: string,
  userId: string,
): Promise<void> {
  for (const kind of ["delivered", "read"] as const) {
    for (;;) {
      const op = kv.atomic();
      let n = 0;
      for await (
        const entry of kv.list({
          prefix: keys.groupReceiptLogOf(gid, userId, kind),
        }, {
          limit: 500,
        })
      ) {
        op.delete(entry.key);
        n++;
      }
      if (n === 0) break;
      await commit(op);
    }
  }
  await commitWithRetry<void>(async () => {
    const stored = await kv.get<GroupPositions>(keys.groupPositions(gid));
    if (!stored.value?.members[userId]) return { done: undefined };
    const members = { ...stored.value.members };
    delete members[userId];
    return {
      op: kv.atomic().check(stored).set(keys.groupPositions(gid), { members }),
      result: undefined,
    };
  }, "Cannot update the group's receipts: try again");
}

/** When `userId` received / read the group up to `seq` or later (null: not yet). */
export async function receiptTimes(
  kv: Deno.Kv,
  gid: string,
  userId: string,
  seq: number,
): Promise<{ delivered: string | null; read: string | null }> {
  const first = async (kind: "delivered" | "read") => {
    for await (
      const entry of kv.list<string>({
        prefix: keys.groupReceiptLogOf(gid, userId, kind),
        start: keys.groupReceiptLog(gid, userId, kind, seq),
      }, { limit: 1 })
    ) return entry.value;
    return null;
  };
  const [delivered, read] = await Promise.all([
    first("delivered"),
    first("read"),
  ]);
  return { delivered: delivered ?? read, read };
}
