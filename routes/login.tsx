import { Field } from "../components/Field.tsx";
import { FormError } from "../components/FormError.tsx";
import { ProviderButtons } from "../components/ProviderButtons.tsx";
import { startSession } from "../server/auth.ts";
import { admitPasswordCheck } from "../server/login_throttle.ts";
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
    const { db, devices, secure } = ctx.state;
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
    const user = await db.getUserByName(username);
    // The token is taken before the slow hash runs: parallel guesses cannot all be checked.
    const admission = await admitPasswordCheck(ctx.state, ctx.req, {
      username,
      userId: user?.id,
    });
    if (!admission.ok) {
      return ctx.render({
        username,
        next,
        errors: {
          form: "Too many failed attempts. Wait a minute and try again.",
        },
      }, {
        status: 429,
        headers: { "retry-after": headerValue(admission.retryAfter) },
      });
    }
    const ok = user?.password
      ? await verifyPassword(password, user.password)
      : await verifyPasswordAgainstNothing(password);
    admission.settle(Boolean(user && ok));
    if (!user || !ok) {
      return ctx.render(
        { username, next, errors: { form: WRONG_CREDENTIALS } },
        { status: 401 },
      );
    }
    const headers = new Headers();
    headers.append(
      "set-cookie",
      await startSession(db, user, {
        secure,
        replaces: ctx.state.sessionTokenHash,
      }),
    );
    headers.append("set-cookie", await devices.issue(user.id, secure));
    return redirect(next ?? "/users", headers);
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
