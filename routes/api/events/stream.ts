/**
 * The inbox as Server-Sent Events, from `Last-Event-ID` (a reconnect), else `after`, else
 * now. The first read happens before answering, so a bad or expired cursor is a plain
 * JSON 400/410 rather than a stream that breaks.
 */
import { requireUser } from "../../../lib/chat.ts";
import { decodeEventCursor, readEvents } from "../../../lib/inbox.ts";
import { eventStreamQuerySchema } from "../../../lib/schemas.ts";
import type { RouteContext } from "../../../runtime/types.ts";
import { eventStreamResponse } from "../../../server/event_stream.ts";
import { parseOrThrow } from "../../../server/http.ts";
import type { State } from "../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const query = parseOrThrow(
      eventStreamQuerySchema,
      Object.fromEntries(ctx.url.searchParams),
    );
    const lastEventId = ctx.req.headers.get("last-event-id");
    const stamp = lastEventId
      ? decodeEventCursor(lastEventId, "Last-Event-ID")
      : query.after
      ? decodeEventCursor(query.after)
      : await ctx.state.db.getInboxStamp(me.id);
    const first = await readEvents(ctx.state, me, stamp);
    return eventStreamResponse(ctx.state, me, first, ctx.req.signal);
  },
};
