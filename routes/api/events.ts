/**
 * The inbox as a long poll: my events after `after`, in order, held up to `wait` seconds
 * until one exists; without `after`, none and the current cursor at once. A cursor too far
 * behind answers 410 `cursor_expired`.
 */
import { requireUser } from "../../lib/chat.ts";
import { pollEvents } from "../../lib/inbox_poll.ts";
import { eventsQuerySchema } from "../../lib/schemas.ts";
import type { RouteContext } from "../../runtime/types.ts";
import { json, parseOrThrow } from "../../server/http.ts";
import type { State } from "../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const query = parseOrThrow(
      eventsQuerySchema,
      Object.fromEntries(ctx.url.searchParams),
    );
    return json(
      await pollEvents(ctx.state, me, {
        after: query.after,
        waitSeconds: query.wait,
        signal: ctx.req.signal,
      }),
    );
  },
};
