/**
 * Sign-in with external providers: pending OAuth sign-ins (single-use, expiring) and the
 * identities linked to users, indexed both ways: (provider, subject) → user, user → links.
 */
import { DomainError } from "../errors.ts";
import { keys } from "./keys.ts";
import { commit, commitWithRetry } from "./kv.ts";
import type { User } from "./users.ts";

/** How long a pending OAuth sign-in stays valid. */
export const OAUTH_STATE_MAX_AGE_MS = 10 * 60 * 1000;

/** An account at an external sign-in provider, linked to one user. */
export interface UserIdentity {
  provider: string;
  /** The provider's stable id for the account (GitHub's numeric id, OIDC `sub`). */
  subject: string;
  linkedAt: string;
  /** The provider's login or name when linked, shown on the account page. */
  login?: string;
}

/** A pending OAuth sign-in, stored under its `state` until the callback consumes it. */
export interface OAuthState {
  provider: string;
  /** SHA-256 of the random value in the browser's state cookie: binds the state to it. */
  bindingHash: string;
  codeVerifier: string;
  nonce?: string;
  /** The exact redirect URI sent to the provider; the token request must repeat it. */
  redirectUri: string;
  /** A same-site path to land on afterwards. */
  next?: string;
  /** Set when a signed-in user links the provider instead of signing in. */
  linkUserId?: string;
  createdAt: string;
}

/** Stores a pending OAuth sign-in under its state value; KV drops it after 10 minutes. */
export async function saveOAuthState(
  kv: Deno.Kv,
  state: string,
  record: OAuthState,
): Promise<void> {
  const key = keys.oauthState(state);
  const result = await commit(
    kv.atomic()
      .check({ key, versionstamp: null })
      .set(key, record, { expireIn: OAUTH_STATE_MAX_AGE_MS }),
  );
  if (!result.ok) {
    throw new DomainError(
      "internal",
      "state_collision",
      "Cannot start sign-in",
    );
  }
}

/**
 * Takes a pending OAuth sign-in out of KV. The versionstamp check makes it single-use
 * even under concurrent callbacks; null when unknown, already used or expired.
 */
export async function consumeOAuthState(
  kv: Deno.Kv,
  state: string,
  now = new Date(),
): Promise<OAuthState | null> {
  const key = keys.oauthState(state);
  const entry = await kv.get<OAuthState>(key);
  if (!entry.value) return null;
  const result = await commit(kv.atomic().check(entry).delete(key));
  if (!result.ok) return null;
  // KV expiry is lazy, so the age is checked here too.
  const age = now.getTime() - Date.parse(entry.value.createdAt);
  return age <= OAUTH_STATE_MAX_AGE_MS ? entry.value : null;
}

/** The id of the user an external identity belongs to, or null. */
export async function getUserIdByIdentity(
  kv: Deno.Kv,
  provider: string,
  subject: string,
): Promise<string | null> {
  return (await kv.get<string>(keys.identity(provider, subject))).value;
}

/** The external identities linked to a user, ordered by provider. */
export async function listUserIdentities(
  kv: Deno.Kv,
  userId: string,
): Promise<UserIdentity[]> {
  return (await listLinks(kv, userId)).map((entry) => entry.value);
}

async function listLinks(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntry<UserIdentity>[]> {
  const links: Deno.KvEntry<UserIdentity>[] = [];
  const prefix = keys.userIdentities(userId);
  for await (const entry of kv.list<UserIdentity>({ prefix })) {
    links.push(entry);
  }
  return links;
}

/**
 * Creates a user who signs in with an external identity: the user, the name index and
 * both identity keys in one atomic commit that checks the identity and name are free.
 * Says which check failed instead of throwing, so the caller can try another name.
 */
export async function createUserWithIdentity(
  kv: Deno.Kv,
  input: {
    username: string;
    identity: Pick<UserIdentity, "provider" | "subject" | "login">;
    now?: Date;
  },
): Promise<
  | { ok: true; user: User }
  | { ok: false; reason: "identity_taken" | "username_taken" }
> {
  const now = (input.now ?? new Date()).toISOString();
  const { provider, subject } = input.identity;
  const user: User = {
    id: crypto.randomUUID(),
    username: input.username,
    createdAt: now,
  };
  const identity: UserIdentity = {
    provider,
    subject,
    linkedAt: now,
    ...(input.identity.login ? { login: input.identity.login } : {}),
  };
  const nameKey = keys.userByName(user.username);
  const identityKey = keys.identity(provider, subject);
  const result = await commit(
    kv.atomic()
      .check({ key: identityKey, versionstamp: null })
      .check({ key: nameKey, versionstamp: null })
      .set(keys.user(user.id), user)
      .set(nameKey, user.id)
      .set(identityKey, user.id)
      .set(keys.userIdentity(user.id, provider), identity),
  );
  if (result.ok) return { ok: true, user };
  const taken = await kv.get(identityKey);
  return {
    ok: false,
    reason: taken.value ? "identity_taken" : "username_taken",
  };
}

/**
 * Links an external identity to an existing user. Refuses an identity that belongs to
 * another account, and a second identity at a provider the user already has linked.
 */
export async function linkIdentity(
  kv: Deno.Kv,
  userId: string,
  input: Pick<UserIdentity, "provider" | "subject" | "login">,
  now = new Date(),
): Promise<void> {
  const identityKey = keys.identity(input.provider, input.subject);
  const linkKey = keys.userIdentity(userId, input.provider);
  await commitWithRetry(async () => {
    const [user, owner, link] = await kv.getMany<[User, string, UserIdentity]>(
      [keys.user(userId), identityKey, linkKey],
    );
    if (!user.value) {
      throw new DomainError("not_found", "user_not_found", "No such user");
    }
    if (owner.value === userId) return { done: undefined };
    if (owner.value) {
      throw new DomainError(
        "conflict",
        "identity_taken",
        "Cannot link: that account is already linked to another Natter user",
      );
    }
    if (link.value) {
      throw new DomainError(
        "conflict",
        "provider_already_linked",
        "Cannot link: another account at this provider is already linked; unlink it first",
      );
    }
    const identity: UserIdentity = {
      provider: input.provider,
      subject: input.subject,
      linkedAt: now.toISOString(),
      ...(input.login ? { login: input.login } : {}),
    };
    const op = kv.atomic()
      .check(user, owner, link)
      .set(identityKey, userId)
      .set(linkKey, identity);
    return { op, result: undefined };
  }, "Cannot link: try again");
}

/**
 * Unlinks a provider from a user, refusing when it is their last way to sign in (no
 * password and no other provider). All of the user's links are checked in the commit,
 * so two concurrent unlinks cannot both succeed and lock the user out.
 */
export async function unlinkIdentity(
  kv: Deno.Kv,
  userId: string,
  provider: string,
): Promise<void> {
  await commitWithRetry(async () => {
    const user = await kv.get<User>(keys.user(userId));
    if (!user.value) {
      throw new DomainError("not_found", "user_not_found", "No such user");
    }
    const links = await listLinks(kv, userId);
    const link = links.find((entry) => entry.value.provider === provider);
    if (!link) {
      throw new DomainError(
        "not_found",
        "not_linked",
        "Cannot unlink: this provider is not linked to your account",
      );
    }
    if (!user.value.password && links.length === 1) {
      throw new DomainError(
        "conflict",
        "last_sign_in_method",
        "Cannot unlink: it is your only way to sign in. Link another provider first.",
      );
    }
    const op = kv.atomic()
      .check(user, ...links)
      .delete(link.key)
      .delete(keys.identity(provider, link.value.subject));
    return { op, result: undefined };
  }, "Cannot unlink: try again");
}
