/**
 * Uploads one file into the conversation with `:username`: `multipart/form-data` with a
 * `file` field → 201 `{"attachment"}`, streamed (server/attachment_upload.ts).
 */
import { findPeer, requireUser } from "../../../../lib/chat.ts";
import { conversationId } from "../../../../lib/db/db.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { uploadResponse } from "../../../../server/attachment_upload.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const cid = conversationId(me.id, peer.id);
    return await uploadResponse(ctx.state, ctx.req, me, cid);
  },
};
