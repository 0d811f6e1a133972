/**
 * Sessions done right: a login ends the browser's previous session (no fixation), and
 * linking a sign-in provider needs a proof of identity from the last five minutes.
 */
import assert from "node:assert/strict";
import { authenticatedAt, Db, keys } from "../lib/db/db.ts";
import { generateSessionToken, hashSessionToken } from "../server/auth.ts";
import { REAUTH_WINDOW_MS } from "../server/reauth.ts";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";
import {
  signedInAs,
  signInWith,
  startOidcProvider,
  startSignIn,
} from "./oauth_helpers.ts";

/** A browser holding a session for `username` that logged in longer ago than the window. */
async function staleSession(
  server: { url: string; db: Db },
  username: string,
): Promise<TestClient> {
  const user = await server.db.getUserByName(username);
  const token = generateSessionToken();
  const loggedIn = new Date(Date.now() - REAUTH_WINDOW_MS - 60_000);
  await server.db.createSession(await hashSessionToken(token), user!, loggedIn);
  const client = new TestClient(server.url);
  client.cookies.set("natter_session", token);
  return client;
}

async function isSignedIn(url: string, token: string): Promise<boolean> {
  const replay = new TestClient(url);
  replay.cookies.set("natter_session", token);
  const res = await replay.fetch("/users");
  await res.body?.cancel();
  return res.status === 200;
}

Deno.test("logging in with a password ends the session the browser had before", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const name = await client.register();
  const other = await new TestClient(server.url).register();
  const before = client.cookies.get("natter_session")!;
  assert.equal((await client.login(other)).status, 303);
  assert.notEqual(client.cookies.get("natter_session"), before);
  assert.equal(await isSignedIn(server.url, before), false);
  assert.equal(await signedInAs(client), other);
  assert.notEqual(name, other);
});

Deno.test("signing in with a provider ends the session the browser had before", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  await client.register();
  const before = client.cookies.get("natter_session")!;
  oidc.idToken = { preferred_username: randomUsername("sso") };
  const { res } = await signInWith(client, "oidc");
  await res.body?.cancel();
  assert.equal(res.status, 303);
  assert.equal(await isSignedIn(server.url, before), false);
});

Deno.test("linking a provider needs a recent re-authentication, which the password form grants", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const name = await new TestClient(server.url).register();
  const stale = await staleSession(server, name);

  const refused = await stale.fetch("/auth/oidc/signin?link=1");
  await refused.body?.cancel();
  assert.equal(refused.status, 303);
  assert.equal(refused.headers.get("location"), "/account?reauth=oidc");
  const page = await (await stale.fetch("/account?reauth=oidc")).text();
  assert.match(page, /To link Keycloak, first confirm it is you/);
  assert.match(page, /name="password"/);
  assert.doesNotMatch(page, /link=1/);

  const wrong = await stale.postForm("/account", { password: "not it at all" });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /Wrong password/);
  assert.equal(
    (await stale.fetch("/auth/oidc/signin?link=1")).headers.get("location"),
    "/account?reauth=oidc",
  );

  const confirmed = await stale.postForm("/account", {
    password: "correct horse battery",
  });
  await confirmed.body?.cancel();
  assert.equal(confirmed.status, 303);
  assert.equal(confirmed.headers.get("location"), "/account?confirmed=1");
  assert.match(await (await stale.fetch("/account")).text(), /link=1/);
  oidc.idToken = { preferred_username: randomUsername("sso") };
  const { res } = await signInWith(stale, "oidc", "?link=1");
  await res.body?.cancel();
  assert.equal(res.headers.get("location"), "/account?linked=oidc");
});

Deno.test("re-authentication by password is throttled like a login, with Retry-After", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const name = await new TestClient(server.url).register();
  const stale = await staleSession(server, name);
  // At once, so the allowance (one more per 30 s) cannot refill between them.
  const responses = await Promise.all(
    Array.from(
      { length: 13 },
      (_, i) => stale.postForm("/account", { password: `wrong-${i}-guess` }),
    ),
  );
  for (const res of responses) await res.body?.cancel();
  const refused = responses.filter((r) => r.status === 429);
  assert.equal(responses.filter((r) => r.status === 401).length, 10);
  assert.equal(refused.length, 3);
  for (const res of refused) {
    assert.match(res.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  }
});

Deno.test("a password-less account re-authenticates by signing in again with its linked provider", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const username = randomUsername("sso");
  oidc.idToken = { preferred_username: username, sub: `sub-${username}` };
  const first = new TestClient(server.url);
  await (await signInWith(first, "oidc")).res.body?.cancel();
  const name = (await signedInAs(first))!;
  const stale = await staleSession(server, name);
  assert.equal(
    (await stale.fetch("/auth/oidc/signin?link=1")).headers.get("location"),
    "/account?reauth=oidc",
  );
  const again = await signInWith(stale, "oidc", "?next=%2Faccount");
  await again.res.body?.cancel();
  assert.equal(again.res.headers.get("location"), "/account");
  assert.equal(await signedInAs(stale), name);
  // The gate is open: the link start now goes to the provider.
  const authorize = await startSignIn(stale, "oidc", "?link=1");
  assert.equal(authorize.origin, oidc.issuer);
});

Deno.test("sessions stored before reauthenticatedAt existed count from their login", async () => {
  const db = await Db.open(":memory:");
  try {
    const user = await db.createUser({ username: "old_session" });
    const createdAt = new Date().toISOString();
    await db.kv.set(keys.session("h"), {
      userId: user.id,
      username: user.username,
      createdAt,
      lastSeenAt: createdAt,
    });
    const session = await db.validateSession("h");
    assert.equal(authenticatedAt(session!), createdAt);
    await db.markReauthenticated("h", new Date(Date.parse(createdAt) + 1000));
    const marked = await db.validateSession("h");
    assert.notEqual(authenticatedAt(marked!), createdAt);
    assert.equal(marked!.createdAt, createdAt);
  } finally {
    db.close();
  }
});
