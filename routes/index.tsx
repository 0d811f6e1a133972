import type { RouteContext } from "../runtime/types.ts";
import { redirect } from "../server/http.ts";
import type { State } from "../server/state.ts";

/** The front door sends people to their chats, or to log in. */
export const handler = {
  GET(ctx: RouteContext<State>) {
    return redirect(ctx.state.user ? "/users" : "/login");
  },
};
