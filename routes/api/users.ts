/** People search: `GET ?q=<prefix>&limit=1..100` → `{"users":[{"username"}]}`, me excluded. */
import { requireUser } from "../../lib/chat.ts";
import { searchPeople } from "../../lib/conversation_list.ts";
import { usersQuerySchema } from "../../lib/schemas.ts";
import type { RouteContext } from "../../runtime/types.ts";
import { json, parseOrThrow } from "../../server/http.ts";
import type { State } from "../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const query = parseOrThrow(
      usersQuerySchema,
      Object.fromEntries(ctx.url.searchParams),
    );
    return json({ users: await searchPeople(ctx.state, me, query) });
  },
};
