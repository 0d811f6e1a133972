/** "typing…": a signal on the bus to the peer, rate-limited per user, never stored. */
import { conversationId, type User } from "./db/db.ts";
import { DomainError } from "./errors.ts";
import { typingAllowed } from "./settings.ts";
import type { SessionUser, State } from "../server/state.ts";

/** Tells `peer` that `me` is typing, unless I turned typing indicators off. */
export async function sendTyping(
  state: State,
  me: SessionUser,
  peer: User,
): Promise<void> {
  if (!(await state.limits.typing.take(me.id))) {
    throw new DomainError(
      "rate_limited",
      "rate_limited",
      "You are sending typing notices too fast",
      { retryAfter: await state.limits.typing.retryAfter(me.id) },
    );
  }
  // Reciprocal: with indicators off I send none (and see none, lib/live_signals.ts).
  if (!(await typingAllowed(state, me.id))) return;
  state.bus.publish([peer.id], {
    kind: "typing",
    conversationId: conversationId(me.id, peer.id),
    from: me.id,
  });
}
