import { clearSessionCookie } from "../server/auth.ts";
import type { RouteContext } from "../runtime/types.ts";
import { redirect } from "../server/http.ts";
import type { State } from "../server/state.ts";

/** Deletes this session server-side, so the old cookie is dead even if replayed. */
export const handler = {
  async POST(ctx: RouteContext<State>) {
    if (ctx.state.sessionTokenHash) {
      await ctx.state.db.deleteSession(ctx.state.sessionTokenHash);
    }
    return redirect("/login", {
      "set-cookie": clearSessionCookie(ctx.state.secure),
    });
  },
};
