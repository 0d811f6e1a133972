/**
 * `POST /api/groups/:id/typing` → 204: "I am typing in this group". As for a direct chat:
 * rate-limited, never stored; the other members whose settings allow get a `typing` event.
 */
import { requireUser } from "../../../../lib/chat.ts";
import { requireGroup } from "../../../../lib/groups.ts";
import { sendGroupTyping } from "../../../../lib/typing.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const group = await requireGroup(ctx.state, me, ctx.params.id);
    await sendGroupTyping(ctx.state, me, group);
    return new Response(null, {
      status: 204,
      headers: { "cache-control": "no-store" },
    });
  },
};
