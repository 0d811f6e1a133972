/**
 * Hostile `next` values through every door that redirects after sign-in: GET /login (signed
 * in and not), POST /login (signed in and not) and the provider sign-in's `next`. None may
 * crash the server, answer 5xx or leave the site; each falls back to /users.
 */
import assert from "node:assert/strict";
import {
  randomUsername,
  startTestServer,
  TEST_PASSWORD,
  TestClient,
} from "./helpers.ts";
import { signInWith, startOidcProvider } from "./oauth_helpers.ts";

/** Raw (already percent-encoded) query values; decoded, none is a safe path. */
const HOSTILE_NEXT = [
  "%2F%7F",
  "%2F%01",
  "%2F%08",
  "%2F%0B",
  "%2F%1F",
  "%2F%00",
  "%2F%09",
  "%2F%09%2Fevil.example",
  "/%09/evil.example",
  "/%0D%0ASet-Cookie:%20x=1",
  "/%E2%82%AC",
  "/caf%C3%A9",
  "/%F0%9F%98%80",
  "/%ED%A0%80",
  "/%FF",
  "//evil.example",
  "%2F%2Fevil.example",
  "/%5Cevil.example",
  "/\\evil.example",
  "https://evil.example/",
  "%20/users",
];

function assertFallsBack(res: Response, what: string): void {
  assert.ok(res.status < 500, `${what}: HTTP ${res.status}`);
  assert.equal(res.status, 303, what);
  assert.equal(res.headers.get("location"), "/users", what);
}

Deno.test("GET and POST /login with a hostile next never crash, never 5xx and fall back to /users", async () => {
  await using server = await startTestServer();
  const username = randomUsername();
  const signedIn = new TestClient(server.url);
  await signedIn.register(username);
  const anonymous = new TestClient(server.url);

  for (const next of HOSTILE_NEXT) {
    const page = await anonymous.fetch(`/login?next=${next}`);
    const html = await page.text();
    assert.equal(page.status, 200, `GET /login?next=${next} signed out`);
    assert.doesNotMatch(html, /name="next"/, `next=${next} kept in the form`);

    const again = await signedIn.fetch(`/login?next=${next}`);
    await again.body?.cancel();
    assertFallsBack(again, `GET /login?next=${next} signed in`);

    for (const client of [signedIn, new TestClient(server.url)]) {
      const res = await client.fetch("/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `username=${username}&password=${
          encodeURIComponent(TEST_PASSWORD)
        }&next=${next.replaceAll("/", "%2F")}`,
      });
      await res.body?.cancel();
      assertFallsBack(res, `POST /login next=${next}`);
    }
  }
  const home = await anonymous.fetch("/");
  await home.body?.cancel();
  assert.ok(home.status < 400, "the server still answers");
});

Deno.test("a wrong password with a hostile next re-renders the form without the next", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const res = await client.fetch("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "username=nobody_here&password=wrong-password&next=%2F%7F",
  });
  assert.equal(res.status, 401);
  assert.doesNotMatch(await res.text(), /name="next"/);
});

Deno.test("provider sign-in with a hostile next lands on /users, not off-site, and the server stays up", async () => {
  await using provider = await startOidcProvider();
  await using server = await startTestServer(provider.env);
  for (const next of HOSTILE_NEXT) {
    const client = new TestClient(server.url);
    provider.idToken = { preferred_username: randomUsername("oidc") };
    const { res } = await signInWith(client, "oidc", `?next=${next}`);
    await res.body?.cancel();
    assertFallsBack(res, `oidc next=${next}`);
  }
  const res = await fetch(`${server.url}/login`);
  await res.body?.cancel();
  assert.equal(res.status, 200);
});

Deno.test("a safe next still works through GET and POST /login and provider sign-in", async () => {
  await using provider = await startOidcProvider();
  await using server = await startTestServer(provider.env);
  const client = new TestClient(server.url);
  const username = await client.register();
  const get = await client.fetch("/login?next=%2Faccount");
  await get.body?.cancel();
  assert.equal(get.headers.get("location"), "/account");
  const post = await client.login(username, TEST_PASSWORD, "/account?x=1");
  assert.equal(post.headers.get("location"), "/account?x=1");
  provider.idToken = { preferred_username: randomUsername("oidc") };
  const { res } = await signInWith(
    new TestClient(server.url),
    "oidc",
    "?next=%2Faccount",
  );
  await res.body?.cancel();
  assert.equal(res.headers.get("location"), "/account");
});
