/**
 * The part of the `Db` facade (lib/db/db.ts) about people: accounts, sessions, sign-in
 * identities and the app's secrets, over the pool of KV handles it is built on.
 */
import * as identities from "./identities.ts";
import { keys } from "./keys.ts";
import { kvPool } from "./kv_pool.ts";
import * as secrets from "./secrets.ts";
import * as sessions from "./sessions.ts";
import * as users from "./users.ts";
import type { PasswordHash } from "../passwords.ts";

type User = users.User;
type UserIdentity = identities.UserIdentity;

/** Accounts, sessions and identities; `Db` adds conversations, groups, files and admin. */
export class DbPeople {
  /** Reads spread over the pool's readers, writes and watches on `kv` (lib/db/kv_pool.ts). */
  protected readonly data: Deno.Kv;
  readonly #close: () => void;

  /** `kv` is the main handle; `readers`, more connections to the same local file. */
  constructor(readonly kv: Deno.Kv, readers: Deno.Kv[] = []) {
    const pool = kvPool(kv, readers);
    this.data = pool.data;
    this.#close = pool.close;
  }

  /** Closes every KV handle. */
  close(): void {
    this.#close();
  }

  /** One cheap read (a key that never holds a value), for health checks. */
  async ping(): Promise<void> {
    await this.data.get(keys.users());
  }

  // ---- users ----
  createUser(input: { username: string; password?: PasswordHash; now?: Date }) {
    return users.createUser(this.data, input);
  }
  getUser(id: string) {
    return users.getUser(this.data, id);
  }
  getUserByName(username: string) {
    return users.getUserByName(this.data, username);
  }
  setPassword(userId: string, password: PasswordHash) {
    return users.setPassword(this.data, userId, password);
  }
  listUsers() {
    return users.listUsers(this.data);
  }
  getUsers(ids: string[]) {
    return users.getUsers(this.data, ids);
  }
  searchUsers(prefix: string, limit: number) {
    return users.searchUsers(this.data, prefix, limit);
  }

  // ---- secrets ----
  /** A 32-byte server secret shared by every process on this KV (e.g. "device_cookie"). */
  getOrCreateSecret(name: string) {
    return secrets.getOrCreateSecret(this.data, name);
  }

  // ---- sessions ----
  createSession(
    tokenHash: string,
    user: Pick<User, "id" | "username">,
    now?: Date,
  ) {
    return sessions.createSession(this.data, tokenHash, user, now);
  }
  validateSession(tokenHash: string, now?: Date) {
    return sessions.validateSession(this.data, tokenHash, now);
  }
  markReauthenticated(tokenHash: string, now?: Date) {
    return sessions.markReauthenticated(this.data, tokenHash, now);
  }
  deleteSession(tokenHash: string) {
    return sessions.deleteSession(this.data, tokenHash);
  }
  deleteUserSessions(userId: string) {
    return sessions.deleteUserSessions(this.data, userId);
  }

  // ---- identities and OAuth state ----
  saveOAuthState(state: string, record: identities.OAuthState) {
    return identities.saveOAuthState(this.data, state, record);
  }
  consumeOAuthState(state: string, now?: Date) {
    return identities.consumeOAuthState(this.data, state, now);
  }
  getUserIdByIdentity(provider: string, subject: string) {
    return identities.getUserIdByIdentity(this.data, provider, subject);
  }
  listUserIdentities(userId: string) {
    return identities.listUserIdentities(this.data, userId);
  }
  createUserWithIdentity(
    input: Parameters<typeof identities.createUserWithIdentity>[1],
  ) {
    return identities.createUserWithIdentity(this.data, input);
  }
  linkIdentity(
    userId: string,
    input: Pick<UserIdentity, "provider" | "subject" | "login">,
    now?: Date,
  ) {
    return identities.linkIdentity(this.data, userId, input, now);
  }
  unlinkIdentity(userId: string, provider: string) {
    return identities.unlinkIdentity(this.data, userId, provider);
  }
}
