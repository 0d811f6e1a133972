/** `POST /api/groups/:id/read` `{"upTo":"<message id>"}` → 204, as for a direct chat. */
import { requireUser } from "../../../../lib/chat.ts";
import { markGroupRead } from "../../../../lib/group_chat.ts";
import { requireGroup } from "../../../../lib/groups.ts";
import { readSchema } from "../../../../lib/schemas.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { parseOrThrow, readJson } from "../../../../server/http.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
    const input = parseOrThrow(readSchema, await readJson(ctx.req));
    await markGroupRead(ctx.state, me, ctx.params.id, input.upTo);
    return new Response(null, {
      status: 204,
      headers: { "cache-control": "no-store" },
    });
  },
};
