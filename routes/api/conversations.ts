/** The chat list: `GET ?limit=1..100&after=<cursor>` → my conversations, newest first. */
import { requireUser } from "../../lib/chat.ts";
import { listConversationEntries } from "../../lib/conversation_list.ts";
import { conversationsQuerySchema } from "../../lib/schemas.ts";
import type { RouteContext } from "../../runtime/types.ts";
import { json, parseOrThrow } from "../../server/http.ts";
import type { State } from "../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const query = parseOrThrow(
      conversationsQuerySchema,
      Object.fromEntries(ctx.url.searchParams),
    );
    return json(await listConversationEntries(ctx.state, me, query));
  },
};
