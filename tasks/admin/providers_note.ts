/** The line saying which sign-in providers an account still has, for commands that change sign-in. */
import type { Db } from "../../lib/db/db.ts";

/** "still linked: github, oidc" or "no providers linked". */
export async function remainingProviders(
  db: Db,
  userId: string,
): Promise<string> {
  const identities = await db.listUserIdentities(userId);
  return identities.length === 0
    ? "no providers linked"
    : `still linked: ${
      identities.map((i) => i.provider).join(", ")
    } (see user:unlink)`;
}
