/** A photo's thumbnail (at most 320 px on its long side), for the conversation's members only. */
import {
  attachmentNotFound,
  findAttachment,
} from "../../../../../../lib/attachments.ts";
import { findPeer, requireUser } from "../../../../../../lib/chat.ts";
import { conversationId } from "../../../../../../lib/db/db.ts";
import type { RouteContext } from "../../../../../../runtime/types.ts";
import { attachmentResponse } from "../../../../../../server/attachment_response.ts";
import type { State } from "../../../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const cid = conversationId(me.id, peer.id);
    const record = await findAttachment(ctx.state, cid, ctx.params.id);
    if (!record.thumbnail) throw attachmentNotFound();
    return attachmentResponse(ctx.state.db, ctx.req, record, "thumb");
  },
};
