/**
 * `GET /auth/:provider/signin?next=…` (or `?link=1` from the account page): stores a new
 * state and sends the browser to the provider. A plain GET, so the login page's buttons
 * are links: the CSP's `form-action 'self'` would block a form post that redirects away.
 */
import { DomainError } from "../../../lib/errors.ts";
import type { RouteContext } from "../../../runtime/types.ts";
import { isSafeRedirectPath, redirect } from "../../../server/http.ts";
import { isRecentlyAuthenticated } from "../../../server/reauth.ts";
import { browserUrl } from "../../../server/client_info.ts";
import { getProvider } from "../../../lib/oauth/providers.ts";
import { callbackUrl } from "../../../lib/oauth/redirect.ts";
import { createSignInState } from "../../../lib/oauth/state.ts";
import type { State } from "../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const { db, config, user, limits, clientAddress } = ctx.state;
    const provider = getProvider(config, ctx.params.provider);
    // Each start writes a pending state to KV: bound how fast anyone can make us write.
    if (!(await limits.signInStarts.take(clientAddress))) {
      throw new DomainError(
        "rate_limited",
        "rate_limited",
        "Too many sign-in attempts, try again in a minute",
        {
          retryAfter: await limits.signInStarts.retryAfter(clientAddress),
        },
      );
    }
    const linking = ctx.url.searchParams.get("link") === "1";
    if (linking && !user) {
      return redirect(`/login?next=${encodeURIComponent("/account")}`);
    }
    // A stolen cookie must not be able to plant a permanent way in: prove it is you first.
    if (linking && !isRecentlyAuthenticated(ctx.state)) {
      return redirect(`/account?reauth=${provider.id}`);
    }
    const next = ctx.url.searchParams.get("next") ?? undefined;
    const { request, cookie } = await createSignInState(db, {
      provider: provider.id,
      redirectUri: callbackUrl(config, ctx.url, provider.id),
      next: isSafeRedirectPath(next) ? next : undefined,
      linkUserId: linking ? user?.id : undefined,
    }, browserUrl(ctx.url, ctx.state.secure));
    const location = await provider.authorizationUrl(request);
    return redirect(location.href, {
      "set-cookie": cookie,
      "cache-control": "no-store",
    });
  },
};
