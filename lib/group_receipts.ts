/**
 * Status and "read by" in groups (issue 13): members' deliveries and reads move their
 * positions (lib/db/group_receipts.ts), which recompute each sender's status, so senders
 * get `status` events as in a direct chat. Deliveries are batched per process as direct
 * ones are (lib/delivery.ts): marks wait up to `FLUSH_MS` and one commit per group carries
 * every member who received something meanwhile.
 */
import type { Db, GroupMove, Message } from "./db/db.ts";
import { MAX_GROUP_MOVES } from "./db/db.ts";
import { DomainError } from "./errors.ts";
import { requireGroup } from "./groups.ts";
import { usernames } from "./inbox.ts";
import { settingsOf } from "./settings.ts";
import type { SessionUser, State } from "../server/state.ts";

/** How long a delivery waits to share a commit with others. */
const FLUSH_MS = 100;
const KNOWN_MAX = 100_000;

type Deps = Pick<State, "db" | "bus" | "shutdown">;

/** Who allows read receipts, among a group's members (settings are cached briefly). */
async function receiptsOf(
  state: Deps,
  gid: string,
): Promise<((id: string) => boolean) | null> {
  const group = await state.db.getGroup(gid);
  if (!group) return null;
  const settings = await settingsOf(state as State, group.members);
  return (id) => settings.get(id)?.readReceipts ?? true;
}

/** Applies moves to one group, in commits of at most `MAX_GROUP_MOVES`, and wakes senders. */
async function applyMoves(
  state: Deps,
  gid: string,
  moves: GroupMove[],
): Promise<void> {
  const receipts = await receiptsOf(state, gid);
  if (!receipts) return;
  // No moves: one pass that only recomputes the senders' statuses.
  for (let i = 0; i < Math.max(1, moves.length); i += MAX_GROUP_MOVES) {
    const moved = await state.db.moveGroupPositions(
      gid,
      moves.slice(i, i + MAX_GROUP_MOVES),
      receipts,
    );
    if (moved.length > 0) state.bus.publish(moved);
  }
}

class GroupDeliveryBatcher {
  /** Delivered positions known to be stored, by "userId gid". */
  #known = new Map<string, number>();
  #pending = new Map<string, Map<string, GroupMove>>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(readonly state: Deps) {
    state.shutdown.addEventListener("abort", () => {
      this.#stopped = true;
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      void this.flush();
    }, { once: true });
  }

  add(recipientId: string, message: Message): void {
    const gid = message.conversation!;
    const key = `${recipientId} ${gid}`;
    if ((this.#known.get(key) ?? 0) >= message.seq) return;
    const group = this.#pending.get(gid) ?? new Map<string, GroupMove>();
    if ((group.get(recipientId)?.seq ?? 0) >= message.seq) return;
    group.set(recipientId, {
      userId: recipientId,
      kind: "delivered",
      seq: message.seq,
      at: new Date().toISOString(),
    });
    this.#pending.set(gid, group);
    if (this.#timer === null && !this.#stopped) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.flush();
      }, FLUSH_MS);
    }
  }

  async flush(): Promise<void> {
    const groups = [...this.#pending];
    this.#pending.clear();
    await Promise.all(groups.map(async ([gid, moves]) => {
      try {
        await applyMoves(this.state, gid, [...moves.values()]);
        if (this.#known.size >= KNOWN_MAX) this.#known.clear();
        for (const m of moves.values()) {
          this.#known.set(`${m.userId} ${gid}`, m.seq);
        }
      } catch {
        // KV busy or closing: a later delivery of a newer message moves these too.
      }
    }));
  }
}

const batchers = new WeakMap<Db, GroupDeliveryBatcher>();

/** Notes that `recipientId` received these group messages (others' only count). */
export function noteGroupReceived(
  state: Deps,
  recipientId: string,
  messages: Iterable<Message>,
): void {
  for (const m of messages) {
    if (m.from === recipientId || !m.conversation) continue;
    let batcher = batchers.get(state.db);
    if (!batcher) {
      batcher = new GroupDeliveryBatcher(state);
      batchers.set(state.db, batcher);
    }
    batcher.add(recipientId, m);
  }
}

/** My read position in the group moved to `seq`: the senders' statuses follow. */
export async function noteGroupRead(
  state: State,
  me: SessionUser,
  gid: string,
  seq: number,
): Promise<void> {
  await applyMoves(state, gid, [{
    userId: me.id,
    kind: "read",
    seq,
    at: new Date().toISOString(),
  }]);
}

/** Someone left: those they held back may now be delivered or read. */
export async function refreshGroupStatus(state: State, gid: string) {
  await applyMoves(state, gid, []);
}

/** Who received and who read a message (WhatsApp's "message info"). */
export interface MessageReceipts {
  /** Members it reached who have not (visibly) read it yet. */
  deliveredTo: Array<{ username: string; at: string }>;
  readBy: Array<{ username: string; at: string }>;
}

/**
 * The receipts of my message `messageId`: the others who were members when it was sent
 * and still are. Only its sender may ask (403 `not_sender` for other members). With read
 * receipts off on either side a reader counts as delivered, as in the status.
 */
export async function messageReceipts(
  state: State,
  me: SessionUser,
  gid: string,
  messageId: string,
): Promise<MessageReceipts> {
  const group = await requireGroup(state, me, gid);
  const seq = await state.db.findMessageSeq(gid, messageId);
  const mine = group.roster.find((m) => m.userId === me.id)!;
  const message = seq === null || seq < mine.joinedSeq
    ? null
    : (await state.db.listMessages(gid, { afterSeq: seq - 1, limit: 1 }))[0];
  if (!message || message.seq !== seq) {
    throw new DomainError(
      "not_found",
      "message_not_found",
      "No message with that id in this conversation",
    );
  }
  if (message.from !== me.id) {
    throw new DomainError(
      "forbidden",
      "not_sender",
      "Only the sender of a message can see who received and read it",
    );
  }
  const others = group.roster.filter((m) =>
    m.userId !== me.id && m.joinedSeq <= message.seq
  );
  const [positions, settings, names] = await Promise.all([
    state.db.getGroupPositions(gid),
    settingsOf(state, [me.id, ...others.map((m) => m.userId)]),
    usernames(state, others.map((m) => m.userId)),
  ]);
  const result: MessageReceipts = { deliveredTo: [], readBy: [] };
  const reached = others.filter((m) => {
    const p = positions.members[m.userId];
    return Math.max(p?.d ?? 0, p?.r ?? 0) >= message.seq;
  });
  const times = await Promise.all(
    reached.map((m) => state.db.groupReceiptTimes(gid, m.userId, message.seq)),
  );
  reached.forEach((m, i) => {
    const username = names.get(m.userId);
    if (!username) return;
    const receipts = settings.get(me.id)!.readReceipts &&
      settings.get(m.userId)!.readReceipts;
    const read = (positions.members[m.userId]?.r ?? 0) >= message.seq;
    const t = times[i];
    if (read && receipts && t.read) {
      result.readBy.push({ username, at: t.read });
    } else if (t.delivered) {
      result.deliveredTo.push({ username, at: t.delivered });
    }
  });
  const byTime = (a: { at: string }, b: { at: string }) =>
    a.at.localeCompare(b.at);
  result.deliveredTo.sort(byTime);
  result.readBy.sort(byTime);
  return result;
}
