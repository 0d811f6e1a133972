/**
 * `POST` → 204: "I am typing to this person". Rate-limited, never stored: the peer's inbox
 * gets an ephemeral `typing` event unless either of us turned typing indicators off.
 */
import { findPeer, requireUser } from "../../../../lib/chat.ts";
import { sendTyping } from "../../../../lib/typing.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    await sendTyping(ctx.state, me, peer);
    return new Response(null, {
      status: 204,
      headers: { "cache-control": "no-store" },
    });
  },
};
