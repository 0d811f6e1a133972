import type { RouteContext } from "../lib/fresh/types.ts";
import { redirect } from "../lib/http.ts";
import type { State } from "../lib/state.ts";

/** The front door sends people to their chats, or to log in. */
export const handler = {
  GET(ctx: RouteContext<State>) {
    return redirect(ctx.state.user ? "/users" : "/login");
  },
};
