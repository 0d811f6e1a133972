/** A group photo's thumbnail (at most 320 px on its long side), for members only. */
import { attachmentNotFound } from "../../../../../../lib/attachments.ts";
import { requireUser } from "../../../../../../lib/chat.ts";
import { findGroupAttachment } from "../../../../../../lib/group_attachments.ts";
import type { RouteContext } from "../../../../../../runtime/types.ts";
import { attachmentResponse } from "../../../../../../server/attachment_response.ts";
import type { State } from "../../../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const record = await findGroupAttachment(
      ctx.state,
      me,
      ctx.params.id,
      ctx.params.attachmentId,
    );
    if (!record.thumbnail) throw attachmentNotFound();
    return attachmentResponse(ctx.state.db, ctx.req, record, "thumb");
  },
};
