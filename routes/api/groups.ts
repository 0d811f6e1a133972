/**
 * `POST /api/groups` `{"name","members":[usernames]}` → 201 `{"conversation":{…}}`: a new
 * group with me as its admin. Unknown or repeated names → 422 naming them in `details`.
 */
import { requireUser } from "../../lib/chat.ts";
import { createGroup, toPublicGroup } from "../../lib/groups.ts";
import { createGroupSchema } from "../../lib/schemas.ts";
import type { RouteContext } from "../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../server/http.ts";
import type { State } from "../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const input = parseOrThrow(createGroupSchema, await readJson(ctx.req));
    const group = await createGroup(ctx.state, me, input);
    return json(
      { conversation: await toPublicGroup(ctx.state, group) },
      { status: 201 },
    );
  },
};
