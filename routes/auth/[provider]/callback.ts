/**
 * `GET /auth/:provider/callback`: checks the state (KV, single-use, this browser's cookie),
 * exchanges the code, identifies the person, then signs them in (creating the account on
 * first sign-in) or links the provider to the signed-in account. Every failure throws an
 * DomainError (400, or 502 when the provider cannot be reached) before any session exists.
 */
import { startSession } from "../../../server/auth.ts";
import { browserUrl } from "../../../server/client_info.ts";
import { DomainError } from "../../../lib/errors.ts";
import type { RouteContext } from "../../../runtime/types.ts";
import { redirect } from "../../../server/http.ts";
import { findOrCreateUser } from "../../../lib/oauth/accounts.ts";
import { getProvider } from "../../../lib/oauth/providers.ts";
import {
  clearStateCookie,
  consumeSignInState,
} from "../../../lib/oauth/state.ts";
import type { State } from "../../../server/state.ts";

/** Provider error codes are short ASCII words; anything else is not echoed back. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const { db, config, limits, clientAddress, user } = ctx.state;
    const provider = getProvider(config, ctx.params.provider);
    const query = ctx.url.searchParams;
    const record = await consumeSignInState(
      db,
      ctx.req,
      provider.id,
      query.get("state"),
    );
    const error = query.get("error");
    if (error !== null) {
      const code = ERROR_CODE.test(error) ? error : "unknown error";
      throw new DomainError(
        "bad_request",
        "provider_error",
        code === "access_denied"
          ? `Sign-in cancelled: ${provider.label} did not grant access. Start again from the login page.`
          : `Sign-in failed: ${provider.label} answered "${code}". Start again from the login page.`,
      );
    }
    const code = query.get("code");
    if (!code) {
      throw new DomainError(
        "bad_request",
        "missing_code",
        `Sign-in failed: ${provider.label} sent no authorization code. Start again from the login page.`,
      );
    }
    const identity = await provider.identify({
      code,
      codeVerifier: record.codeVerifier,
      nonce: record.nonce ?? "",
      redirectUri: record.redirectUri,
    });
    const headers = new Headers({
      "set-cookie": clearStateCookie(
        browserUrl(ctx.url, ctx.state.secure),
      ),
    });

    if (record.linkUserId) {
      // The session must still be the one that asked to link.
      if (user?.id !== record.linkUserId) {
        throw new DomainError(
          "bad_request",
          "link_session_changed",
          "Cannot link: you are no longer signed in as the account that asked. Start again from your account page.",
        );
      }
      await db.linkIdentity(user.id, {
        provider: provider.id,
        subject: identity.subject,
        login: identity.login,
      });
      return redirect(record.next ?? `/account?linked=${provider.id}`, headers);
    }

    const { user: account } = await findOrCreateUser(
      db,
      provider.id,
      identity,
      { mayCreate: () => limits.registrations.take(clientAddress) },
    );
    headers.append(
      "set-cookie",
      await startSession(db, account, {
        secure: ctx.state.secure,
        replaces: ctx.state.sessionTokenHash,
      }),
    );
    return redirect(record.next ?? "/users", headers);
  },
};
