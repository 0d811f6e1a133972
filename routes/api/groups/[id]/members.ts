/** `POST /api/groups/:id/members` `{"username"}` → 200 with the group (admins only). */
import { requireUser } from "../../../../lib/chat.ts";
import {
  addMember,
  requireGroup,
  toPublicGroup,
} from "../../../../lib/groups.ts";
import { groupMemberSchema } from "../../../../lib/schemas.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../../../server/http.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
    const input = parseOrThrow(groupMemberSchema, await readJson(ctx.req));
    const group = await addMember(ctx.state, me, ctx.params.id, input.username);
    return json({ conversation: await toPublicGroup(ctx.state, group) });
  },
};
