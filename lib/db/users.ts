/** Users and the lowercase name index that makes usernames unique. */
import { DomainError } from "../errors.ts";
import type { PasswordHash } from "../passwords.ts";
import { keys } from "./keys.ts";
import { commit, commitWithRetry } from "./kv.ts";

export interface User {
  id: string;
  /** As typed at registration; lookups use the lowercase form. */
  username: string;
  createdAt: string;
  password?: PasswordHash;
}

/** Creates a user; the lowercase name index is written in the same atomic commit. */
export async function createUser(
  kv: Deno.Kv,
  input: { username: string; password?: PasswordHash; now?: Date },
): Promise<User> {
  const user: User = {
    id: crypto.randomUUID(),
    username: input.username,
    createdAt: (input.now ?? new Date()).toISOString(),
    ...(input.password ? { password: input.password } : {}),
  };
  const nameKey = keys.userByName(user.username);
  const result = await commit(
    kv.atomic()
      .check({ key: nameKey, versionstamp: null })
      .set(keys.user(user.id), user)
      .set(nameKey, user.id),
  );
  if (!result.ok) {
    throw new DomainError(
      "conflict",
      "username_taken",
      `Username "${user.username}" is already taken`,
      { field: "username" },
    );
  }
  return user;
}

/** Returns the user with this id, or null. */
export async function getUser(kv: Deno.Kv, id: string): Promise<User | null> {
  return (await kv.get<User>(keys.user(id))).value;
}

/** Returns the user with this name (any case), or null. */
export async function getUserByName(
  kv: Deno.Kv,
  username: string,
): Promise<User | null> {
  const pointer = await kv.get<string>(keys.userByName(username));
  return pointer.value ? await getUser(kv, pointer.value) : null;
}

/** Replaces a user's password hash, re-reading the user after a concurrent change. */
export async function setPassword(
  kv: Deno.Kv,
  userId: string,
  password: PasswordHash,
): Promise<void> {
  await commitWithRetry(async () => {
    const entry = await kv.get<User>(keys.user(userId));
    if (!entry.value) {
      throw new DomainError("not_found", "user_not_found", "No such user");
    }
    const op = kv.atomic().check(entry).set(keys.user(userId), {
      ...entry.value,
      password,
    });
    return { op, result: undefined };
  }, "Cannot change password: try again");
}

/** Lists every user, ordered by id (callers sort for display). */
export async function listUsers(kv: Deno.Kv): Promise<User[]> {
  const users: User[] = [];
  for await (const entry of kv.list<User>({ prefix: keys.users() })) {
    users.push(entry.value);
  }
  return users;
}

/** The users with these ids that still exist, ten keys per read (KV's getMany limit). */
export async function getUsers(kv: Deno.Kv, ids: string[]): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const entries = await kv.getMany<User[]>(
      ids.slice(i, i + 10).map((id) => keys.user(id)),
    );
    for (const entry of entries) if (entry.value) users.push(entry.value);
  }
  return users;
}

/** Up to `limit` users whose name starts with `prefix` (any case), in name order. */
export async function searchUsers(
  kv: Deno.Kv,
  prefix: string,
  limit: number,
): Promise<User[]> {
  const ids: string[] = [];
  const iter = kv.list<string>({
    start: keys.userNamesFrom(prefix),
    end: keys.userNamesBefore(prefix),
  }, { limit });
  for await (const entry of iter) ids.push(entry.value);
  return await getUsers(kv, ids);
}
