/**
 * `DELETE /api/groups/:id/members/:username` → 204: an admin removes anyone, a member
 * removes themself (leaves). `PUT` `{"role":"admin"|"member"}` → 200 (admins only).
 */
import { requireUser } from "../../../../../lib/chat.ts";
import {
  removeMember,
  requireGroup,
  setRole,
  toPublicGroup,
} from "../../../../../lib/groups.ts";
import { groupRoleSchema } from "../../../../../lib/schemas.ts";
import type { RouteContext } from "../../../../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../../../../server/http.ts";
import type { State } from "../../../../../server/state.ts";

export const handler = {
  async DELETE(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await removeMember(ctx.state, me, ctx.params.id, ctx.params.username);
    return new Response(null, {
      status: 204,
      headers: { "cache-control": "no-store" },
    });
  },

  async PUT(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
    const input = parseOrThrow(groupRoleSchema, await readJson(ctx.req));
    const group = await setRole(
      ctx.state,
      me,
      ctx.params.id,
      ctx.params.username,
      input.role,
    );
    return json({ conversation: await toPublicGroup(ctx.state, group) });
  },
};
