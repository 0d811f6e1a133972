/**
 * Read position: `POST {"upTo": "<message id>"}` → 204 moves my position in this
 * conversation forward to that message (never back). Unknown id → 422.
 */
import { findPeer, markRead, requireUser } from "../../../../lib/chat.ts";
import { readSchema } from "../../../../lib/schemas.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { parseOrThrow, readJson } from "../../../../server/http.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const input = parseOrThrow(readSchema, await readJson(ctx.req));
    await markRead(ctx.state, me, peer, input.upTo);
    return new Response(null, {
      status: 204,
      headers: { "cache-control": "no-store" },
    });
  },
};
