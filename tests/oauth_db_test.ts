import assert from "node:assert/strict";
import { Db, type OAuthState } from "../lib/db/db.ts";
import {
  baseUsername,
  sanitizeUsername,
  usernameCandidates,
} from "../lib/oauth/username.ts";
import { USERNAME_PATTERN } from "../lib/schemas.ts";

/** A fresh in-memory KV, closed when the test's `using` scope ends. */
async function openMemoryDb(): Promise<Db & Disposable> {
  const db = await Db.open(":memory:");
  return Object.assign(db, { [Symbol.dispose]: () => db.close() });
}

function pendingState(overrides: Partial<OAuthState> = {}): OAuthState {
  return {
    provider: "oidc",
    bindingHash: "0".repeat(64),
    codeVerifier: "v".repeat(43),
    nonce: "n",
    redirectUri: "http://127.0.0.1/auth/oidc/callback",
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

Deno.test("consumeOAuthState() hands a state to exactly one of several concurrent callers", async () => {
  using db = await openMemoryDb();
  await db.saveOAuthState("s1", pendingState());
  const results = await Promise.all(
    Array.from({ length: 8 }, () => db.consumeOAuthState("s1")),
  );
  assert.equal(results.filter((r) => r !== null).length, 1);
  assert.equal(await db.consumeOAuthState("s1"), null);
});

Deno.test("consumeOAuthState() refuses a state older than ten minutes even before KV expires it", async () => {
  using db = await openMemoryDb();
  const createdAt = new Date("2030-01-01T00:00:00Z");
  await db.saveOAuthState(
    "s2",
    pendingState({ createdAt: createdAt.toISOString() }),
  );
  const later = new Date(createdAt.getTime() + 10 * 60 * 1000 + 1);
  assert.equal(await db.consumeOAuthState("s2", later), null);
});

Deno.test("createUserWithIdentity() writes user, name and both identity keys together, and says which check failed", async () => {
  using db = await openMemoryDb();
  const identity = { provider: "github", subject: "https://github.com|1" };
  const created = await db.createUserWithIdentity({
    username: "Ada",
    identity,
  });
  assert.ok(created.ok);
  assert.equal(
    await db.getUserIdByIdentity("github", identity.subject),
    created.user.id,
  );
  assert.equal((await db.getUserByName("ada"))?.id, created.user.id);
  assert.equal((await db.listUserIdentities(created.user.id)).length, 1);

  const sameIdentity = await db.createUserWithIdentity({
    username: "Other",
    identity,
  });
  assert.deepEqual(sameIdentity, { ok: false, reason: "identity_taken" });
  assert.equal(await db.getUserByName("Other"), null);

  const sameName = await db.createUserWithIdentity({
    username: "ADA",
    identity: { provider: "github", subject: "https://github.com|2" },
  });
  assert.deepEqual(sameName, { ok: false, reason: "username_taken" });
  assert.equal(
    await db.getUserIdByIdentity("github", "https://github.com|2"),
    null,
  );
});

Deno.test("concurrent unlinks of a passwordless user's two providers leave one linked", async () => {
  using db = await openMemoryDb();
  const created = await db.createUserWithIdentity({
    username: "Grace",
    identity: { provider: "github", subject: "g|1" },
  });
  assert.ok(created.ok);
  await db.linkIdentity(created.user.id, { provider: "oidc", subject: "o|1" });
  const results = await Promise.allSettled([
    db.unlinkIdentity(created.user.id, "github"),
    db.unlinkIdentity(created.user.id, "oidc"),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  assert.equal((await db.listUserIdentities(created.user.id)).length, 1);
});

Deno.test("provider names become valid usernames, and suffixed candidates stay within 32 characters", () => {
  assert.equal(sanitizeUsername("José Núñez"), "Jose_Nunez");
  assert.equal(sanitizeUsername("--octo--cat--"), "octo--cat");
  assert.equal(sanitizeUsername("ab"), "");
  assert.equal(sanitizeUsername("李"), "");
  assert.equal(sanitizeUsername("x".repeat(40)), "x".repeat(32));
  assert.equal(baseUsername(["", "李", "jo", "mail.me"]), "mail.me");
  assert.equal(baseUsername([]), "user");
  const names = [...usernameCandidates("y".repeat(32), 12)];
  assert.equal(names.length, 12);
  assert.equal(names[0], "y".repeat(32));
  assert.equal(names[1], `${"y".repeat(30)}-2`);
  assert.equal(new Set(names).size, 12);
  for (const name of names) assert.match(name, USERNAME_PATTERN);
});
