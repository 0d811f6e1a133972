/**
 * `POST /auth/:provider/unlink` from the account page. `/auth/*` is public to the session
 * middleware, so the sign-in check is here; the CSRF middleware has already checked Origin.
 */
import type { RouteContext } from "../../../runtime/types.ts";
import { redirect } from "../../../server/http.ts";
import { getProvider } from "../../../lib/oauth/providers.ts";
import type { State } from "../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const { db, config, user } = ctx.state;
    if (!user) {
      return redirect(`/login?next=${encodeURIComponent("/account")}`);
    }
    const provider = getProvider(config, ctx.params.provider);
    await db.unlinkIdentity(user.id, provider.id);
    return redirect(`/account?unlinked=${provider.id}`);
  },
};
