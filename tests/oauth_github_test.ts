import assert from "node:assert/strict";
import { startGitHubStub } from "./github_stub.ts";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";
import {
  assertRefused,
  signedInAs,
  signInWith,
  startOidcProvider,
  startSignIn,
  visitProvider,
} from "./oauth_helpers.ts";

Deno.test("GitHub sign-in uses PKCE, names the account after the login, and finds it again by numeric id after a rename", async () => {
  await using github = startGitHubStub();
  await using server = await startTestServer(github.env);
  const login = randomUsername("octo");
  github.user = { id: 424242, login, email: null };

  const client = new TestClient(server.url);
  const { res, authorizeUrl } = await signInWith(
    client,
    "github",
    "?next=%2Faccount",
  );
  await res.body?.cancel();
  assert.equal(
    authorizeUrl.origin + authorizeUrl.pathname,
    `${github.url}/login/oauth/authorize`,
  );
  assert.equal(authorizeUrl.searchParams.get("code_challenge_method"), "S256");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/account");
  assert.equal(github.verifiedPkce, 1);
  assert.equal(await signedInAs(client), login);
  const account = await (await client.fetch("/account")).text();
  assert.match(account, new RegExp(`linked as ${login}`));

  // Renamed on GitHub, and someone else now has the old login: the id decides.
  github.user = { id: 424242, login: `${login}-renamed`, email: null };
  const again = new TestClient(server.url);
  await (await signInWith(again, "github")).res.body?.cancel();
  assert.equal(await signedInAs(again), login);
  github.user = { id: 777, login, email: null };
  const newcomer = new TestClient(server.url);
  await (await signInWith(newcomer, "github")).res.body?.cancel();
  assert.equal(await signedInAs(newcomer), `${login}-2`);
});

Deno.test("GitHub sign-in answers 400 on access_denied or a refused code, and 502 when GitHub is down", async () => {
  await using github = startGitHubStub();
  await using server = await startTestServer(github.env);
  github.authorizeError = "access_denied";
  await assertRefused(
    (await signInWith(new TestClient(server.url), "github")).res,
    400,
    /GitHub did not grant access/,
  );

  // The stand-in answers like GitHub (status 200, an error field) when the verifier is wrong.
  const client = new TestClient(server.url);
  const authorizeUrl = await startSignIn(client, "github");
  authorizeUrl.searchParams.set("code_challenge", "A".repeat(43));
  await assertRefused(
    await client.fetch(await visitProvider(authorizeUrl)),
    400,
    /GitHub did not accept the sign-in \(invalid_grant\)/,
  );

  const late = new TestClient(server.url);
  const callbackPath = await visitProvider(await startSignIn(late, "github"));
  await github.stop();
  await assertRefused(
    await late.fetch(callbackPath),
    502,
    /GitHub could not be reached/,
  );
  assert.equal((await server.db.listUsers()).length, 0);
});

Deno.test("a user with GitHub and OIDC linked cannot link a second GitHub account, can unlink one provider but not the last", async () => {
  await using github = startGitHubStub();
  await using oidc = await startOidcProvider("Authentik");
  await using server = await startTestServer({ ...github.env, ...oidc.env });
  github.user = { id: 99, login: randomUsername("gh"), email: null };
  oidc.idToken.sub = crypto.randomUUID();

  const client = new TestClient(server.url);
  await (await signInWith(client, "github")).res.body?.cancel();
  const name = await signedInAs(client);
  assert.equal(name, github.user.login);
  const linked = await signInWith(client, "oidc", "?link=1");
  await linked.res.body?.cancel();
  assert.equal(linked.res.headers.get("location"), "/account?linked=oidc");

  const secondGitHub = { id: 100, login: randomUsername("gh2"), email: null };
  github.user = secondGitHub;
  const refused = await signInWith(client, "github", "?link=1");
  assert.equal(refused.res.status, 409);
  assert.match(await refused.res.text(), /unlink it first/);
  github.user = { id: 99, login: name!, email: null };

  const page = await (await client.fetch("/account")).text();
  assert.match(page, /action="\/auth\/github\/unlink"/);
  assert.match(page, /action="\/auth\/oidc\/unlink"/);

  const first = await client.postForm("/auth/github/unlink", {});
  await first.body?.cancel();
  assert.equal(first.status, 303);
  const last = await client.postForm("/auth/oidc/unlink", {});
  assert.equal(last.status, 409);
  assert.match(await last.text(), /only way to sign in/);
  const again = await client.postForm("/auth/github/unlink", {});
  assert.equal(again.status, 404);
  await again.body?.cancel();

  // Still reachable through OIDC, and the unlinked GitHub account makes a new user.
  const elsewhere = new TestClient(server.url);
  await (await signInWith(elsewhere, "oidc")).res.body?.cancel();
  assert.equal(await signedInAs(elsewhere), name);
  const fresh = new TestClient(server.url);
  await (await signInWith(fresh, "github")).res.body?.cancel();
  assert.equal(await signedInAs(fresh), `${name}-2`);
});

Deno.test("unlink is a same-origin POST only", async () => {
  await using github = startGitHubStub();
  await using server = await startTestServer(github.env);
  const client = new TestClient(server.url);
  await client.register();
  const res = await client.postForm("/auth/github/unlink", {}, {
    origin: "https://evil.example",
  });
  await res.body?.cancel();
  assert.equal(res.status, 403);
  const get = await client.fetch("/auth/github/unlink");
  await get.body?.cancel();
  assert.equal(get.status, 405);
});
