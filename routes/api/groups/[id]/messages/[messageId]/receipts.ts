/**
 * `GET /api/groups/:id/messages/:messageId/receipts` → `{"deliveredTo":[{"username","at"}],
 * "readBy":[…]}` for the message's sender; 403 `not_sender` for the other members, 404
 * for everyone else (as every group route).
 */
import { requireUser } from "../../../../../../lib/chat.ts";
import { messageReceipts } from "../../../../../../lib/group_receipts.ts";
import type { RouteContext } from "../../../../../../runtime/types.ts";
import type { State } from "../../../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const receipts = await messageReceipts(
      ctx.state,
      me,
      ctx.params.id,
      ctx.params.messageId,
    );
    return Response.json(receipts, {
      headers: { "cache-control": "no-store" },
    });
  },
};
