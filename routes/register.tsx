import { Field } from "../components/Field.tsx";
import { FormError } from "../components/FormError.tsx";
import { ProviderButtons } from "../components/ProviderButtons.tsx";
import { startSession } from "../server/auth.ts";
import { DomainError } from "../lib/errors.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import { readForm, redirect } from "../server/http.ts";
import { listProviders } from "../lib/oauth/providers.ts";
import { hashPassword } from "../lib/passwords.ts";
import {
  type FieldErrors,
  fieldErrors,
  registerFormSchema,
} from "../lib/schemas.ts";
import type { State } from "../server/state.ts";

interface RegisterData {
  username?: string;
  errors?: FieldErrors;
}

export const title = "Create an account";

export const handler = {
  GET(ctx: RouteContext<State, RegisterData>) {
    if (ctx.state.user) return redirect("/users");
    return ctx.render({});
  },

  async POST(ctx: RouteContext<State, RegisterData>) {
    const { db, limits, clientAddress } = ctx.state;
    const form = await readForm(ctx.req);
    const username = form.username?.trim();
    if (!(await limits.registrations.take(clientAddress))) {
      return ctx.render({
        username,
        errors: { form: "Too many sign-ups, try again later" },
      }, {
        status: 429,
        headers: {
          "retry-after": String(
            await limits.registrations.retryAfter(clientAddress),
          ),
        },
      });
    }
    const parsed = registerFormSchema.safeParse(form);
    if (!parsed.success) {
      return ctx.render({ username, errors: fieldErrors(parsed.error) }, {
        status: 400,
      });
    }
    const taken = () =>
      ctx.render({
        username,
        errors: { username: "That username is already taken" },
      }, {
        status: 409,
      });
    // Cheap early answer; the atomic check in createUser settles races.
    if (await db.getUserByName(parsed.data.username)) return taken();
    try {
      const user = await db.createUser({
        username: parsed.data.username,
        password: await hashPassword(parsed.data.password),
      });
      const cookie = await startSession(db, user, {
        secure: ctx.state.secure,
        replaces: ctx.state.sessionTokenHash,
      });
      return redirect("/users", { "set-cookie": cookie });
    } catch (error) {
      if (error instanceof DomainError && error.code === "username_taken") {
        return taken();
      }
      throw error;
    }
  },
};

export default function RegisterPage(
  { data, state }: PageProps<State, RegisterData>,
) {
  const errors = data?.errors ?? {};
  return (
    <section class="card narrow">
      <h1>Create an account</h1>
      <FormError message={errors.form} />
      <form method="post" action="/register" novalidate>
        <Field
          name="username"
          label="Username"
          value={data?.username}
          error={errors.username}
          autocomplete="username"
          hint="3–32 letters, digits, _ . or -"
          autofocus
        />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autocomplete="new-password"
          hint="At least 8 characters"
        />
        <Field
          name="password_confirm"
          label="Confirm password"
          type="password"
          error={errors.password_confirm}
          autocomplete="new-password"
        />
        <button type="submit" class="button">Create account</button>
      </form>
      <ProviderButtons providers={listProviders(state.config)} />
      <p class="muted">
        Already have an account? <a href="/login">Log in</a>
      </p>
    </section>
  );
}
