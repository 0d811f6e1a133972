/**
 * Uploads one file into the group, for its members: `multipart/form-data` with a `file`
 * field → 201 `{"attachment"}`, exactly as for a direct chat (server/attachment_upload.ts).
 */
import { requireUser } from "../../../../lib/chat.ts";
import { requireGroup } from "../../../../lib/groups.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { uploadResponse } from "../../../../server/attachment_upload.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const group = await requireGroup(ctx.state, me, ctx.params.id);
    return await uploadResponse(ctx.state, ctx.req, me, group.id);
  },
};
