import { Field } from "../components/Field.tsx";
import { FormError } from "../components/FormError.tsx";
import { ProviderButtons } from "../components/ProviderButtons.tsx";
import { startSession } from "../server/auth.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import {
  headerValue,
  isSafeRedirectPath,
  readForm,
  redirect,
} from "../server/http.ts";
import { listProviders } from "../lib/oauth/providers.ts";
import {
  verifyPassword,
  verifyPasswordAgainstNothing,
} from "../lib/passwords.ts";
import {
  type FieldErrors,
  fieldErrors,
  loginFormSchema,
} from "../lib/schemas.ts";
import type { State } from "../server/state.ts";

interface LoginData {
  username?: string;
  next?: string;
  errors?: FieldErrors;
}

export const title = "Log in";

/** One message for every credential failure, so it never reveals which part was wrong. */
const WRONG_CREDENTIALS = "Wrong username or password";

export const handler = {
  GET(ctx: RouteContext<State, LoginData>) {
    const next = ctx.url.searchParams.get("next") ?? undefined;
    if (ctx.state.user) {
      return redirect(isSafeRedirectPath(next) ? next : "/users");
    }
    return ctx.render({ next: isSafeRedirectPath(next) ? next : undefined });
  },

  async POST(ctx: RouteContext<State, LoginData>) {
    const { db, limits, clientAddress } = ctx.state;
    const form = await readForm(ctx.req);
    const next = isSafeRedirectPath(form.next) ? form.next : undefined;
    const parsed = loginFormSchema.safeParse(form);
    if (!parsed.success) {
      return ctx.render(
        { username: form.username, next, errors: fieldErrors(parsed.error) },
        { status: 400 },
      );
    }
    const { username, password } = parsed.data;
    const limitKey = `${clientAddress}|${username.toLowerCase()}`;
    if (limits.loginFailures.limited(limitKey)) {
      return ctx.render({
        username,
        next,
        errors: {
          form: "Too many failed attempts. Wait a minute and try again.",
        },
      }, {
        status: 429,
        headers: {
          "retry-after": headerValue(
            limits.loginFailures.retryAfter(limitKey),
          ),
        },
      });
    }
    const user = await db.getUserByName(username);
    const ok = user?.password
      ? await verifyPassword(password, user.password)
      : await verifyPasswordAgainstNothing(password);
    if (!user || !ok) {
      limits.loginFailures.take(limitKey);
      return ctx.render(
        { username, next, errors: { form: WRONG_CREDENTIALS } },
        { status: 401 },
      );
    }
    const cookie = await startSession(db, user, ctx.url);
    return redirect(next ?? "/users", { "set-cookie": cookie });
  },
};

export default function LoginPage(
  { data, state }: PageProps<State, LoginData>,
) {
  const errors = data?.errors ?? {};
  return (
    <section class="card narrow">
      <h1>Log in</h1>
      <FormError message={errors.form} />
      <form method="post" action="/login" novalidate>
        {data?.next && <input type="hidden" name="next" value={data.next} />}
        <Field
          name="username"
          label="Username"
          value={data?.username}
          error={errors.username}
          autocomplete="username"
          autofocus
        />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autocomplete="current-password"
        />
        <button type="submit" class="button">Log in</button>
      </form>
      <ProviderButtons
        providers={listProviders(state.config)}
        next={data?.next}
      />
      <p class="muted">
        New here? <a href="/register">Create an account</a>
      </p>
    </section>
  );
}
