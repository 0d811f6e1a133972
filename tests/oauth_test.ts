import assert from "node:assert/strict";
import { Events } from "oauth2-mock-server";
import { loadConfig } from "../fresh.config.ts";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";
import {
  assertRefused,
  OIDC_CLIENT_ID,
  signedInAs,
  signInWith,
  startOidcProvider,
  startSignIn,
  visitProvider,
} from "./oauth_helpers.ts";

Deno.test("the login and register pages link to each configured provider, and to none when none is configured", async () => {
  await using oidc = await startOidcProvider("Keycloak");
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  const login = await client.fetch("/login?next=%2Fchat%2Fbob");
  assert.equal(login.status, 200);
  const html = await login.text();
  assert.match(html, /href="\/auth\/oidc\/signin\?next=%2Fchat%2Fbob"/);
  assert.match(html, /Sign in with (<!-- -->)?Keycloak/);
  assert.doesNotMatch(html, /\/auth\/github\//);
  const register = await client.fetch("/register");
  assert.match(await register.text(), /href="\/auth\/oidc\/signin"/);

  await using plain = await startTestServer();
  const other = new TestClient(plain.url);
  const bare = await other.fetch("/login");
  assert.doesNotMatch(await bare.text(), /\/auth\//);
});

Deno.test("OIDC sign-in sends the browser to the provider with state, S256 PKCE and a nonce bound by an HttpOnly cookie", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  const res = await client.fetch("/auth/oidc/signin");
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const location = new URL(res.headers.get("location")!);
  assert.equal(location.origin + location.pathname, `${oidc.issuer}/authorize`);
  const q = location.searchParams;
  assert.equal(q.get("response_type"), "code");
  assert.equal(q.get("client_id"), OIDC_CLIENT_ID);
  assert.equal(q.get("redirect_uri"), `${server.url}/auth/oidc/callback`);
  assert.equal(q.get("code_challenge_method"), "S256");
  assert.match(q.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get("state") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get("nonce") ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(q.get("scope")?.split(" "), ["openid", "profile", "email"]);
  const cookie = res.headers.get("set-cookie") ?? "";
  assert.match(cookie, /^natter_oauth=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /Max-Age=600/);
  assert.match(cookie, /Path=\/auth/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
});

Deno.test("OIDC sign-in creates an account named from preferred_username, lands on /users signed in, and signing in again reaches the same account", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const name = randomUsername("kc");
  oidc.idToken.sub = crypto.randomUUID();
  oidc.idToken.preferred_username = name;

  const first = new TestClient(server.url);
  const { res } = await signInWith(first, "oidc");
  await res.body?.cancel();
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/users");
  const cookies = res.headers.getSetCookie();
  assert.ok(cookies.some((c) => /^natter_session=[A-Za-z0-9_-]{43};/.test(c)));
  assert.ok(cookies.some((c) => /^natter_oauth=;.*Max-Age=0/.test(c)));
  assert.equal(await signedInAs(first), name);
  const usersAfterFirst = (await server.db.listUsers()).length;

  // Another browser, same person at the provider: the same account, no new one.
  const second = new TestClient(server.url);
  const again = await signInWith(second, "oidc");
  await again.res.body?.cancel();
  assert.equal(again.res.status, 303);
  assert.equal(await signedInAs(second), name);
  assert.equal((await server.db.listUsers()).length, usersAfterFirst);
  const user = await server.db.getUserByName(name);
  assert.ok(user && !user.password, "a provider account has no password");
  const identities = await server.db.listUserIdentities(user.id);
  assert.equal(identities.length, 1);
  assert.equal(identities[0].provider, "oidc");
  assert.equal(identities[0].subject, `${oidc.issuer}|${oidc.idToken.sub}`);
});

Deno.test("OIDC sign-in returns to a same-site next and ignores an off-site one", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const cases: Array<[string, string]> = [
    ["/chat/someone?x=1", "/chat/someone?x=1"],
    ["//evil.example/", "/users"],
    ["https://evil.example/", "/users"],
    ["/\\evil.example", "/users"],
  ];
  for (const [next, expected] of cases) {
    const client = new TestClient(server.url);
    const { res } = await signInWith(
      client,
      "oidc",
      `?next=${encodeURIComponent(next)}`,
    );
    await res.body?.cancel();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), expected, next);
  }
});

Deno.test("a new OIDC account whose name is taken gets a suffix and is never attached to the account with that name", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const owner = new TestClient(server.url);
  const name = await owner.register(randomUsername("Dana"));

  const stranger = new TestClient(server.url);
  oidc.idToken.sub = crypto.randomUUID();
  // Same name, different case, and an email that would match too: still a new account.
  oidc.idToken.preferred_username = name.toLowerCase();
  oidc.idToken.email = `${name}@example.com`;
  const first = await signInWith(stranger, "oidc");
  await first.res.body?.cancel();
  assert.equal(first.res.status, 303);
  assert.equal(await signedInAs(stranger), `${name.toLowerCase()}-2`);

  oidc.idToken.sub = crypto.randomUUID();
  const third = new TestClient(server.url);
  await (await signInWith(third, "oidc")).res.body?.cancel();
  assert.equal(await signedInAs(third), `${name.toLowerCase()}-3`);

  const original = await server.db.getUserByName(name);
  assert.ok(original);
  assert.deepEqual(await server.db.listUserIdentities(original.id), []);
  assert.equal((await owner.login(name)).status, 303);
});

Deno.test("a new OIDC account is named from the email's local part, cleaned up, when there is no preferred_username", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const local = `zoë+chat${crypto.randomUUID().slice(0, 4)}`;
  oidc.idToken.sub = crypto.randomUUID();
  oidc.idToken.email = `${local}@example.com`;
  const client = new TestClient(server.url);
  await (await signInWith(client, "oidc")).res.body?.cancel();
  assert.equal(
    await signedInAs(client),
    local.replace("ë", "e").replace("+", "_"),
  );
});

Deno.test("the OIDC callback refuses a missing, unknown, replayed or expired state with 400 and no session", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);

  await assertRefused(
    await client.fetch("/auth/oidc/callback?code=abc"),
    400,
    /has no state/,
  );
  await assertRefused(
    await client.fetch("/auth/oidc/callback?code=abc&state=made-up"),
    400,
    /unknown, expired or already used/,
  );

  const { res, callbackPath } = await signInWith(client, "oidc");
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const replayer = new TestClient(server.url);
  replayer.cookies.set("natter_oauth", "anything");
  await assertRefused(
    await replayer.fetch(callbackPath),
    400,
    /already used/,
  );

  const late = new TestClient(server.url);
  const authorizeUrl = await startSignIn(late, "oidc");
  const state = authorizeUrl.searchParams.get("state")!;
  const record = await server.db.consumeOAuthState(state);
  assert.ok(record);
  await server.db.saveOAuthState(state, {
    ...record,
    createdAt: new Date(Date.now() - 11 * 60 * 1000).toISOString(),
  });
  await assertRefused(
    await late.fetch(await visitProvider(authorizeUrl)),
    400,
    /expired/,
  );
  assert.equal(await signedInAs(late), null);
});

Deno.test("the OIDC callback refuses a state that another browser started, even one with its own state cookie", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const victim = new TestClient(server.url);
  const attacker = new TestClient(server.url);
  await startSignIn(victim, "oidc");
  const callbackPath = await visitProvider(await startSignIn(attacker, "oidc"));
  await assertRefused(
    await victim.fetch(callbackPath),
    400,
    /started in another browser/,
  );
  assert.equal(await signedInAs(victim), null);
  // The state was spent by the refused attempt: its own browser cannot use it now either.
  await assertRefused(await attacker.fetch(callbackPath), 400, /already used/);
});

Deno.test("the OIDC callback answers 400 when the provider reports access_denied or rejects the code", async () => {
  await using oidc = await startOidcProvider("Keycloak");
  await using server = await startTestServer(oidc.env);
  oidc.server.service.once(Events.BeforeAuthorizeRedirect, ({ url }) => {
    url.searchParams.delete("code");
    url.searchParams.set("error", "access_denied");
  });
  const denied = new TestClient(server.url);
  await assertRefused(
    (await signInWith(denied, "oidc")).res,
    400,
    /Keycloak did not grant access/,
  );

  oidc.server.service.once(Events.BeforeResponse, (response) => {
    response.statusCode = 400;
    response.body = { error: "invalid_grant" };
  });
  const rejected = new TestClient(server.url);
  await assertRefused(
    (await signInWith(rejected, "oidc")).res,
    400,
    /did not accept the sign-in \(invalid_grant\)/,
  );
  assert.equal(await signedInAs(rejected), null);
});

Deno.test("the OIDC callback refuses an ID token with the wrong audience, issuer or nonce, an expired one, or a forged one", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["wrong aud", { aud: "someone-else" }, /ID token.*&quot;aud&quot;/],
    ["wrong iss", { iss: "http://127.0.0.1:1" }, /ID token.*&quot;iss&quot;/],
    ["wrong nonce", { nonce: "not-the-one" }, /ID token.*nonce/],
    ["no nonce", { nonce: undefined }, /ID token.*nonce/],
    [
      "expired",
      { exp: now - 600, iat: now - 4200, nbf: now - 4200 },
      /ID token.*&quot;exp&quot;/,
    ],
  ];
  const before = (await server.db.listUsers()).length;
  for (const [label, claims, message] of cases) {
    oidc.idToken = claims;
    const client = new TestClient(server.url);
    const { res } = await signInWith(client, "oidc");
    await assertRefused(res, 400, message).catch((error) => {
      throw new Error(`${label}: ${error.message}`);
    });
  }
  oidc.idToken = {};

  // A token whose payload was changed after signing (here: another subject).
  oidc.server.service.once(Events.BeforeResponse, (response) => {
    const body = response.body as { id_token: string };
    const [header, payload, signature] = body.id_token.split(".");
    const claims = JSON.parse(
      atob(payload.replaceAll("-", "+").replaceAll("_", "/")),
    );
    claims.sub = "admin";
    const forged = btoa(JSON.stringify(claims)).replaceAll("+", "-")
      .replaceAll("/", "_").replace(/=+$/, "");
    body.id_token = `${header}.${forged}.${signature}`;
  });
  const forger = new TestClient(server.url);
  await assertRefused(
    (await signInWith(forger, "oidc")).res,
    400,
    /ID token.*signature/,
  );
  assert.equal((await server.db.listUsers()).length, before);
});

Deno.test("OIDC sign-in answers 502 when the provider cannot be reached, at the start or at the callback", async () => {
  const oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  const authorizeUrl = await startSignIn(client, "oidc");
  const callbackPath = await visitProvider(authorizeUrl);
  await oidc.stop();
  await assertRefused(
    await client.fetch(callbackPath),
    502,
    /could not be reached/,
  );

  await using down = await startTestServer(oidc.env);
  const other = new TestClient(down.url);
  await assertRefused(
    await other.fetch("/auth/oidc/signin"),
    502,
    /could not be reached/,
  );
});

Deno.test("an unknown or unconfigured provider is 404 at every auth route", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  for (
    const path of [
      "/auth/facebook/signin",
      "/auth/facebook/callback?state=x&code=y",
      "/auth/github/signin",
      "/auth/github/callback?state=x&code=y",
    ]
  ) {
    const res = await client.fetch(path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    await res.body?.cancel();
  }
  await using plain = await startTestServer();
  const res = await new TestClient(plain.url).fetch("/auth/oidc/signin");
  await res.body?.cancel();
  assert.equal(res.status, 404);
});

Deno.test("a password user links OIDC from /account, then signs in with it to the same account, and can unlink it", async () => {
  await using oidc = await startOidcProvider("Keycloak");
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  const name = await client.register(randomUsername("Lin"));
  const page = await client.fetch("/account");
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Keycloak/);
  assert.match(html, /href="\/auth\/oidc\/signin\?link=1"/);

  oidc.idToken.sub = crypto.randomUUID();
  oidc.idToken.preferred_username = "someone-else";
  const { res } = await signInWith(client, "oidc", "?link=1");
  await res.body?.cancel();
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/account?linked=oidc");
  assert.ok(
    !res.headers.getSetCookie().some((c) => c.startsWith("natter_session=")),
    "linking keeps the current session",
  );
  const linked = await (await client.fetch("/account?linked=oidc")).text();
  assert.match(linked, /linked as someone-else/);
  assert.match(linked, /action="\/auth\/oidc\/unlink"/);

  const elsewhere = new TestClient(server.url);
  await (await signInWith(elsewhere, "oidc")).res.body?.cancel();
  assert.equal(await signedInAs(elsewhere), name);

  const unlink = await client.postForm("/auth/oidc/unlink", {});
  await unlink.body?.cancel();
  assert.equal(unlink.status, 303);
  assert.equal(unlink.headers.get("location"), "/account?unlinked=oidc");
  const user = await server.db.getUserByName(name);
  assert.deepEqual(await server.db.listUserIdentities(user!.id), []);

  // Unlinked: the same provider account now makes a new account, not this one.
  const later = new TestClient(server.url);
  await (await signInWith(later, "oidc")).res.body?.cancel();
  assert.equal(await signedInAs(later), "someone-else");
});

Deno.test("linking refuses a provider account that belongs to another user, and needs a session", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  oidc.idToken.sub = crypto.randomUUID();
  const owner = new TestClient(server.url);
  await (await signInWith(owner, "oidc")).res.body?.cancel();

  const other = new TestClient(server.url);
  await other.register();
  const { res } = await signInWith(other, "oidc", "?link=1");
  assert.equal(res.status, 409);
  assert.match(await res.text(), /already linked to another Natter user/);

  const anonymous = new TestClient(server.url);
  const start = await anonymous.fetch("/auth/oidc/signin?link=1");
  await start.body?.cancel();
  assert.equal(start.status, 303);
  assert.equal(start.headers.get("location"), "/login?next=%2Faccount");
  const unlink = await anonymous.postForm("/auth/oidc/unlink", {});
  await unlink.body?.cancel();
  assert.equal(unlink.status, 303);
  assert.match(unlink.headers.get("location") ?? "", /^\/login/);
  const page = await anonymous.fetch("/account");
  await page.body?.cancel();
  assert.equal(page.status, 303);
});

Deno.test("a user who signs in only with OIDC cannot unlink it: 409 and it stays linked", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  oidc.idToken.sub = crypto.randomUUID();
  const client = new TestClient(server.url);
  await (await signInWith(client, "oidc")).res.body?.cancel();
  const page = await (await client.fetch("/account")).text();
  assert.doesNotMatch(page, /action="\/auth\/oidc\/unlink"/);
  assert.match(page, /your only way to sign in/);

  const res = await client.postForm("/auth/oidc/unlink", {});
  assert.equal(res.status, 409);
  assert.match(await res.text(), /only way to sign in/);
  const name = await signedInAs(client);
  const user = await server.db.getUserByName(name!);
  assert.equal((await server.db.listUserIdentities(user!.id)).length, 1);
});

Deno.test("a public OIDC client (no OIDC_CLIENT_SECRET) signs in with PKCE alone", async () => {
  await using oidc = await startOidcProvider();
  const { OIDC_CLIENT_SECRET: _, ...env } = oidc.env;
  await using server = await startTestServer(env);
  oidc.idToken.preferred_username = randomUsername("pub");
  const client = new TestClient(server.url);
  const { res } = await signInWith(client, "oidc");
  await res.body?.cancel();
  assert.equal(res.status, 303);
  assert.equal(await signedInAs(client), oidc.idToken.preferred_username);
});

Deno.test("loadConfig() turns providers on only when configured and refuses half a configuration", () => {
  const none = loadConfig({});
  assert.equal(none.github, undefined);
  assert.equal(none.oidc, undefined);
  const both = loadConfig({
    GITHUB_CLIENT_ID: "id",
    GITHUB_CLIENT_SECRET: "secret",
    OIDC_ISSUER: "https://sso.example.com/realms/main",
    OIDC_CLIENT_ID: "natter",
  });
  assert.deepEqual(both.github, {
    clientId: "id",
    clientSecret: "secret",
    url: undefined,
  });
  assert.equal(both.oidc?.name, "SSO");
  assert.throws(
    () => loadConfig({ GITHUB_CLIENT_ID: "id" }),
    /GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together/,
  );
  assert.throws(
    () => loadConfig({ OIDC_CLIENT_ID: "natter" }),
    /OIDC_ISSUER and OIDC_CLIENT_ID must be set together/,
  );
  assert.throws(() => loadConfig({ OIDC_ISSUER: "not a url" }), /OIDC_ISSUER/);
});

Deno.test("starting provider sign-ins is rate limited per address (each start writes to KV)", async () => {
  await using oidc = await startOidcProvider();
  await using server = await startTestServer(oidc.env);
  const client = new TestClient(server.url);
  // The bucket refills at 1/s, so on a slow machine the 61st start may still pass: keep
  // starting (bounded) until one is refused, instead of depending on the test's speed.
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  while (statuses.length < 200 && statuses.at(-1) !== 429) {
    const res = await client.fetch("/auth/oidc/signin");
    await res.body?.cancel();
    statuses.push(res.status);
    retryAfter = res.headers.get("retry-after");
  }
  assert.deepEqual(statuses.slice(0, 60), Array(60).fill(303));
  assert.equal(statuses.at(-1), 429);
  assert.deepEqual(new Set(statuses.slice(0, -1)), new Set([303]));
  assert.match(
    retryAfter ?? "",
    /^[1-9]\d*$/,
    "the HTML 429 says when to retry",
  );
});
