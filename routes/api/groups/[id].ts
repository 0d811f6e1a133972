/**
 * `GET /api/groups/:id` → the group; `PATCH` `{"name"}` renames it (admins only, 403
 * otherwise). Non-members get 404 whether or not the group exists.
 */
import { requireUser } from "../../../lib/chat.ts";
import {
  renameGroup,
  requireGroup,
  toPublicGroup,
} from "../../../lib/groups.ts";
import { renameGroupSchema } from "../../../lib/schemas.ts";
import type { RouteContext } from "../../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../../server/http.ts";
import type { State } from "../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const group = await requireGroup(ctx.state, me, ctx.params.id);
    return json({ conversation: await toPublicGroup(ctx.state, group) });
  },

  async PATCH(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
    const input = parseOrThrow(renameGroupSchema, await readJson(ctx.req));
    const group = await renameGroup(ctx.state, me, ctx.params.id, input.name);
    return json({ conversation: await toPublicGroup(ctx.state, group) });
  },
};
