/** "typing…": a signal on the bus to the peer, rate-limited per user, never stored. */
import { conversationId, type GroupRecord, type User } from "./db/db.ts";
import { DomainError } from "./errors.ts";
import { typingAllowed } from "./settings.ts";
import type { SessionUser, State } from "../server/state.ts";

/** Tells `peer` that `me` is typing, unless I turned typing indicators off. */
export async function sendTyping(
  state: State,
  me: SessionUser,
  peer: User,
): Promise<void> {
  if (!(await mayTypeNow(state, me))) return;
  state.bus.publish([peer.id], {
    kind: "typing",
    conversationId: conversationId(me.id, peer.id),
    from: me.id,
  });
}

/** Tells the group's other members that `me` is typing (each viewer's setting applies). */
export async function sendGroupTyping(
  state: State,
  me: SessionUser,
  group: GroupRecord,
): Promise<void> {
  if (!(await mayTypeNow(state, me))) return;
  state.bus.publish(group.members.filter((id) => id !== me.id), {
    kind: "typing",
    conversationId: group.id,
    from: me.id,
  });
}

/** Takes a typing notice from the limit (429 past it); false when my setting hides it. */
async function mayTypeNow(state: State, me: SessionUser): Promise<boolean> {
  if (!(await state.limits.typing.take(me.id))) {
    throw new DomainError(
      "rate_limited",
      "rate_limited",
      "You are sending typing notices too fast",
      { retryAfter: await state.limits.typing.retryAfter(me.id) },
    );
  }
  // Reciprocal: with indicators off I send none (and see none, lib/live_signals.ts).
  return await typingAllowed(state, me.id);
}
