/**
 * Downloads an attachment of the conversation with `:username`, for its members only:
 * anyone else, signed in or not, gets the same 404 as for an id that does not exist.
 */
import { findAttachment } from "../../../../../lib/attachments.ts";
import { findPeer, requireUser } from "../../../../../lib/chat.ts";
import { conversationId } from "../../../../../lib/db/db.ts";
import type { RouteContext } from "../../../../../runtime/types.ts";
import { attachmentResponse } from "../../../../../server/attachment_response.ts";
import type { State } from "../../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const cid = conversationId(me.id, peer.id);
    const record = await findAttachment(ctx.state, cid, ctx.params.id);
    return attachmentResponse(ctx.state.db, ctx.req, record, "file");
  },
};
