/**
 * From a provider's identity to a Natter account. An identity only ever reaches the
 * account it was created with or linked to: never one found by a matching name or email,
 * which would let anyone who registers that name elsewhere take the account over.
 */
import type { Db, User } from "../db/db.ts";
import { DomainError } from "../errors.ts";
import type { ProviderId, ProviderIdentity } from "./types.ts";
import { baseUsername, usernameCandidates } from "./username.ts";

/** Bounded: each failed try is one KV round trip. */
const MAX_NAME_ATTEMPTS = 20;

/** The account this identity signs in to, creating it on first sign-in. */
export async function findOrCreateUser(
  db: Db,
  provider: ProviderId,
  identity: ProviderIdentity,
  options: { mayCreate: () => boolean | Promise<boolean> },
): Promise<{ user: User; created: boolean }> {
  const existing = await findUser(db, provider, identity);
  if (existing) return { user: existing, created: false };
  if (!(await options.mayCreate())) {
    throw new DomainError(
      "rate_limited",
      "too_many_signups",
      "Too many sign-ups, try again later",
    );
  }
  const base = baseUsername(identity.usernameHints);
  for (const username of usernameCandidates(base, MAX_NAME_ATTEMPTS)) {
    const result = await db.createUserWithIdentity({
      username,
      identity: { provider, subject: identity.subject, login: identity.login },
    });
    if (result.ok) return { user: result.user, created: true };
    if (result.reason === "identity_taken") {
      // A concurrent callback for the same identity won the race: use its account.
      const user = await findUser(db, provider, identity);
      if (user) return { user, created: false };
      throw new DomainError(
        "conflict",
        "identity_orphaned",
        "Cannot sign in: the account this sign-in belonged to no longer exists",
      );
    }
  }
  throw new DomainError(
    "busy",
    "busy",
    "Cannot create your account: try again",
  );
}

async function findUser(
  db: Db,
  provider: ProviderId,
  identity: ProviderIdentity,
): Promise<User | null> {
  const userId = await db.getUserIdByIdentity(provider, identity.subject);
  return userId ? await db.getUser(userId) : null;
}
