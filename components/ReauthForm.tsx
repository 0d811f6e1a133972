/**
 * "Confirm it is you" on the account page, shown before a provider can be linked: the
 * password, or a fresh sign-in with a provider already linked (for password-less accounts).
 */
import { Field } from "./Field.tsx";
import { FormError } from "./FormError.tsx";

export function ReauthForm(
  props: {
    hasPassword: boolean;
    /** Providers already linked: signing in with one again also proves it is you. */
    linked: Array<{ id: string; label: string }>;
    error?: string;
  },
) {
  return (
    <div class="reauth">
      <p>
        To link another way to sign in, first confirm it is you (valid for 5
        minutes).
      </p>
      <FormError message={props.error} />
      {props.hasPassword && (
        <form method="post" action="/account" novalidate>
          <Field
            name="password"
            label="Your password"
            type="password"
            autocomplete="current-password"
          />
          <button type="submit" class="button">Confirm</button>
        </form>
      )}
      {props.linked.map((p) => (
        <p key={p.id}>
          <a
            href={`/auth/${p.id}/signin?next=${encodeURIComponent("/account")}`}
          >
            Sign in again with {p.label}
          </a>
        </p>
      ))}
    </div>
  );
}
