/** Downloads a group's attachment, for its members only (404 to everyone else). */
import { requireUser } from "../../../../../lib/chat.ts";
import { findGroupAttachment } from "../../../../../lib/group_attachments.ts";
import type { RouteContext } from "../../../../../runtime/types.ts";
import { attachmentResponse } from "../../../../../server/attachment_response.ts";
import type { State } from "../../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const record = await findGroupAttachment(
      ctx.state,
      me,
      ctx.params.id,
      ctx.params.attachmentId,
    );
    return attachmentResponse(ctx.state.db, ctx.req, record, "file");
  },
};
