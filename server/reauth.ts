/**
 * Re-authentication for sensitive changes. Linking a sign-in provider adds a permanent way
 * into the account, so a stolen session cookie alone must not be enough: the person must
 * have entered their password, or signed in with an already linked provider, recently.
 */
import type { State } from "./state.ts";

/** How recent the last proof of identity must be. */
export const REAUTH_WINDOW_MS = 5 * 60 * 1000;

/** True when the signed-in person proved who they are within the last five minutes. */
export function isRecentlyAuthenticated(
  state: State,
  now = Date.now(),
): boolean {
  if (!state.user || !state.authenticatedAt) return false;
  return now - Date.parse(state.authenticatedAt) <= REAUTH_WINDOW_MS;
}
