import { requireUser } from "../lib/chat.ts";
import type { UserIdentity } from "../lib/db/db.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import { listProviders, type ProviderLink } from "../lib/oauth/providers.ts";
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
}

export const title = "Your account";

export const handler = {
  async GET(ctx: RouteContext<State, AccountData>) {
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
    return ctx.render({
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
        : undefined,
    });
  },
};

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
                  : (
                    <>
                      not linked.{" "}
                      <a href={`/auth/${p.id}/signin?link=1`}>
                        Link {p.label}
                      </a>
                    </>
                  )}
              </li>
            ))}
          </ul>
        )}
      <p>
        <a href="/users">Back to your chats</a>
      </p>
    </section>
  );
}
