import type { ProviderLink } from "../lib/oauth/providers.ts";

/**
 * "Sign in with …" for each configured provider. Links, not forms: the CSP's
 * `form-action 'self'` would stop a form post that redirects to the provider.
 */
export function ProviderButtons(
  { providers, next }: { providers: ProviderLink[]; next?: string },
) {
  if (providers.length === 0) return null;
  const query = next ? `?next=${encodeURIComponent(next)}` : "";
  return (
    <div class="provider-buttons">
      <p class="muted">Or continue with</p>
      <ul>
        {providers.map((p) => (
          <li key={p.id}>
            <a
              class="button provider-button"
              href={`/auth/${p.id}/signin${query}`}
            >
              Sign in with {p.label}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
