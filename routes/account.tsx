import { ReauthForm } from "../components/ReauthForm.tsx";
import { requireUser } from "../lib/chat.ts";
import type { UserIdentity } from "../lib/db/db.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import { listProviders, type ProviderLink } from "../lib/oauth/providers.ts";
import {
  verifyPassword,
  verifyPasswordAgainstNothing,
} from "../lib/passwords.ts";
import { readForm, redirect } from "../server/http.ts";
import { admitPasswordCheck } from "../server/login_throttle.ts";
import { isRecentlyAuthenticated } from "../server/reauth.ts";
import type { State } from "../server/state.ts";

interface ProviderRow extends ProviderLink {
  identity?: UserIdentity;
  /** False when unlinking would leave no way to sign in. */
  canUnlink: boolean;
}

interface AccountData {
  hasPassword: boolean;
  providers: ProviderRow[];
  notice?: string;
  /** False until the person re-authenticates: linking is then offered behind ReauthForm. */
  mayLink: boolean;
  reauthError?: string;
}

export const title = "Your account";

export const handler = {
  GET(ctx: RouteContext<State, AccountData>) {
    return renderAccount(ctx);
  },

  /** The re-authentication form: the password, checked under the login throttle. */
  async POST(ctx: RouteContext<State, AccountData>) {
    const me = requireUser(ctx.state);
    const { db, sessionTokenHash } = ctx.state;
    const form = await readForm(ctx.req);
    const password = form.password ?? "";
    const user = await db.getUser(me.id);
    const admission = await admitPasswordCheck(ctx.state, ctx.req, {
      username: me.username,
      userId: me.id,
    });
    if (!admission.ok) {
      return renderAccount(ctx, {
        status: 429,
        headers: { "retry-after": String(admission.retryAfter) },
      }, "Too many wrong passwords. Wait a minute and try again.");
    }
    const ok = user?.password && password.length <= 1024
      ? await verifyPassword(password, user.password)
      : await verifyPasswordAgainstNothing(password);
    admission.settle(Boolean(ok));
    if (!ok || !sessionTokenHash) {
      return renderAccount(ctx, { status: 401 }, "Wrong password");
    }
    await db.markReauthenticated(sessionTokenHash);
    return redirect("/account?confirmed=1");
  },
};

async function renderAccount(
  ctx: RouteContext<State, AccountData>,
  init?: ResponseInit,
  reauthError?: string,
) {
  const me = requireUser(ctx.state);
  const { db, config } = ctx.state;
  const [user, identities] = await Promise.all([
    db.getUser(me.id),
    db.listUserIdentities(me.id),
  ]);
  const hasPassword = Boolean(user?.password);
  const providers = listProviders(config);
  const label = (id: string | null) =>
    providers.find((p) => p.id === id)?.label;
  const linked = label(ctx.url.searchParams.get("linked"));
  const unlinked = label(ctx.url.searchParams.get("unlinked"));
  const reauth = label(ctx.url.searchParams.get("reauth"));
  const confirmed = ctx.url.searchParams.get("confirmed") === "1";
  const mayLink = isRecentlyAuthenticated(ctx.state);
  return ctx.render({
    mayLink,
    reauthError,
    hasPassword,
    providers: providers.map((p) => ({
      ...p,
      identity: identities.find((i) => i.provider === p.id),
      canUnlink: hasPassword || identities.length > 1,
    })),
    notice: linked
      ? `${linked} is now linked: you can sign in with it.`
      : unlinked
      ? `${unlinked} is no longer linked.`
      : reauth && !mayLink
      ? `To link ${reauth}, first confirm it is you.`
      : confirmed && mayLink
      ? "Confirmed. You can link a provider in the next 5 minutes."
      : undefined,
  }, init);
}

export default function AccountPage({ data }: PageProps<State, AccountData>) {
  return (
    <section class="card narrow">
      <h1>Your account</h1>
      {data.notice && <p role="status">{data.notice}</p>}
      <p class="muted">
        {data.hasPassword
          ? "You can sign in with your username and password."
          : "Your account has no password: you sign in with a linked provider."}
      </p>
      <h2>Sign-in providers</h2>
      {data.providers.length === 0
        ? <p class="muted">This server has no sign-in providers configured.</p>
        : (
          <ul class="provider-list">
            {data.providers.map((p) => (
              <li key={p.id}>
                <strong>{p.label}</strong>: {p.identity
                  ? (
                    <>
                      linked{p.identity.login ? ` as ${p.identity.login}` : ""}
                      {p.canUnlink
                        ? (
                          <form
                            method="post"
                            action={`/auth/${p.id}/unlink`}
                            class="inline-form"
                          >
                            <button type="submit" class="link-button">
                              Unlink {p.label}
                            </button>
                          </form>
                        )
                        : (
                          <span class="muted">
                            {" "}(your only way to sign in, so it stays)
                          </span>
                        )}
                    </>
                  )
                  : data.mayLink
                  ? (
                    <>
                      not linked.{" "}
                      <a href={`/auth/${p.id}/signin?link=1`}>
                        Link {p.label}
                      </a>
                    </>
                  )
                  : <>not linked.</>}
              </li>
            ))}
          </ul>
        )}
      {!data.mayLink && data.providers.some((p) => !p.identity) && (
        <ReauthForm
          hasPassword={data.hasPassword}
          linked={data.providers.filter((p) => p.identity)}
          error={data.reauthError}
        />
      )}
      <p>
        <a href="/users">Back to your chats</a>
      </p>
    </section>
  );
}
