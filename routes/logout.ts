import { clearSessionCookie } from "../lib/auth.ts";
import type { RouteContext } from "../lib/fresh/types.ts";
import { redirect } from "../lib/http.ts";
import type { State } from "../lib/state.ts";

/** Deletes this session server-side, so the old cookie is dead even if replayed. */
export const handler = {
  async POST(ctx: RouteContext<State>) {
    if (ctx.state.sessionTokenHash) {
      await ctx.state.db.deleteSession(ctx.state.sessionTokenHash);
    }
    return redirect("/login", { "set-cookie": clearSessionCookie(ctx.url) });
  },
};
