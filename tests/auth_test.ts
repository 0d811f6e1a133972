import assert from "node:assert/strict";
import {
  randomUsername,
  startTestServer,
  TEST_PASSWORD,
  TestClient,
} from "./helpers.ts";

Deno.test("POST /register creates the account, logs in with a secure session cookie and 303s to /users", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const username = randomUsername("Reg");
  const res = await client.postForm("/register", {
    username,
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/users");
  const cookie = res.headers.get("set-cookie") ?? "";
  assert.match(cookie, /^natter_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\//);
  const users = await client.fetch("/users");
  assert.equal(users.status, 200);
  assert.match(
    await users.text(),
    new RegExp(`Signed in as <strong>${username}</strong>`),
  );
});

Deno.test("POST /register answers 400 with the form and the field's error for invalid input", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [
      {
        username: "ab",
        password: TEST_PASSWORD,
        password_confirm: TEST_PASSWORD,
      },
      "username",
      /at least 3/,
    ],
    [
      {
        username: "x".repeat(33),
        password: TEST_PASSWORD,
        password_confirm: TEST_PASSWORD,
      },
      "username",
      /at most 32/,
    ],
    [
      {
        username: "bad name!",
        password: TEST_PASSWORD,
        password_confirm: TEST_PASSWORD,
      },
      "username",
      /only letters/,
    ],
    [
      {
        username: randomUsername(),
        password: "short",
        password_confirm: "short",
      },
      "password",
      /at least 8/,
    ],
    [
      {
        username: randomUsername(),
        password: TEST_PASSWORD,
        password_confirm: "different!",
      },
      "password_confirm",
      /do not match/,
    ],
  ];
  for (const [form, field, message] of cases) {
    const res = await client.postForm("/register", form);
    assert.equal(res.status, 400, JSON.stringify(form));
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    const html = await res.text();
    assert.match(
      html,
      new RegExp(`id="${field}-error"[^>]*>[^<]*${message.source}`),
    );
    assert.match(html, /<form method="post" action="\/register"/);
    assert.equal(res.headers.get("set-cookie"), null);
  }
});

Deno.test("POST /register answers 409 when the username is taken in any case", async () => {
  await using server = await startTestServer();
  const name = randomUsername("Case");
  await new TestClient(server.url).register(name);
  const res = await new TestClient(server.url).postForm("/register", {
    username: name.toUpperCase(),
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  });
  assert.equal(res.status, 409);
  assert.match(await res.text(), /already taken/);
});

Deno.test("POST /login signs in case-insensitively and redirects to a same-site next only", async () => {
  await using server = await startTestServer();
  const name = randomUsername("Log");
  await new TestClient(server.url).register(name);
  const cases: Array<[string | undefined, string]> = [
    [undefined, "/users"],
    ["/chat/someone?x=1", "/chat/someone?x=1"],
    ["https://evil.example/", "/users"],
    ["//evil.example/", "/users"],
    ["/\\evil.example", "/users"],
  ];
  for (const [next, expected] of cases) {
    const client = new TestClient(server.url);
    const res = await client.login(name.toLowerCase(), TEST_PASSWORD, next);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), expected);
    assert.ok(client.cookies.has("natter_session"));
  }
});

Deno.test("POST /login answers 401 with one message that does not say which part was wrong", async () => {
  await using server = await startTestServer();
  const name = randomUsername();
  await new TestClient(server.url).register(name);
  const wrongPassword = await new TestClient(server.url).postForm("/login", {
    username: name,
    password: "wrong password",
  });
  const unknownUser = await new TestClient(server.url).postForm("/login", {
    username: randomUsername(),
    password: TEST_PASSWORD,
  });
  assert.equal(wrongPassword.status, 401);
  assert.equal(unknownUser.status, 401);
  const a = (await wrongPassword.text()).match(
    /class="form-error"[^>]*>([^<]*)</,
  )?.[1];
  const b = (await unknownUser.text()).match(/class="form-error"[^>]*>([^<]*)</)
    ?.[1];
  assert.equal(a, "Wrong username or password");
  assert.equal(a, b);
});

Deno.test("POST /login refuses further tries after 10 failures for one username", async () => {
  await using server = await startTestServer();
  const name = randomUsername();
  await new TestClient(server.url).register(name);
  const client = new TestClient(server.url);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const res = await client.postForm("/login", {
      username: name,
      password: `nope-${i}-xx`,
    });
    await res.body?.cancel();
    statuses.push(res.status);
  }
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  assert.equal(statuses[10], 429);
  assert.equal(
    (await client.login(name)).status,
    429,
    "even the right password waits",
  );
});

Deno.test("every login makes a new session and POST /logout kills this one server-side", async () => {
  await using server = await startTestServer();
  const name = randomUsername();
  await new TestClient(server.url).register(name);
  const first = new TestClient(server.url);
  const second = new TestClient(server.url);
  await first.login(name);
  await second.login(name);
  assert.notEqual(
    first.cookies.get("natter_session"),
    second.cookies.get("natter_session"),
  );
  const stolen = first.cookies.get("natter_session")!;
  const res = await first.postForm("/logout", {});
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/login");
  assert.match(res.headers.get("set-cookie") ?? "", /Max-Age=0/);
  const replay = new TestClient(server.url);
  replay.cookies.set("natter_session", stolen);
  const denied = await replay.fetch("/users");
  assert.equal(denied.status, 303, "the old cookie no longer works");
  assert.equal(
    (await second.fetch("/users")).status,
    200,
    "other sessions live on",
  );
});

Deno.test("anonymous visitors are sent to /login with next, and the API answers 401", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  for (const path of ["/users", "/chat/somebody"]) {
    const res = await client.fetch(path);
    assert.equal(res.status, 303);
    assert.equal(
      res.headers.get("location"),
      `/login?next=${encodeURIComponent(path)}`,
    );
  }
  const api = await client.fetch("/api/conversations/somebody/messages");
  assert.equal(api.status, 401);
  assert.match(api.headers.get("content-type") ?? "", /application\/json/);
  assert.equal((await api.json()).error.code, "unauthorized");
  const login = await client.fetch("/login?next=%2Fchat%2Fsomebody");
  assert.match(await login.text(), /name="next" value="\/chat\/somebody"/);
});

Deno.test("cross-site form posts are refused with 403 and same-origin ones pass", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const form = {
    username: randomUsername(),
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  };
  const evil = await client.postForm("/register", form, {
    origin: "https://evil.example",
  });
  assert.equal(evil.status, 403);
  await evil.body?.cancel();
  const nullOrigin = await client.postForm("/register", form, {
    origin: "null",
  });
  assert.equal(nullOrigin.status, 403);
  await nullOrigin.body?.cancel();
  const crossSite = await client.postForm("/register", form, {
    "sec-fetch-site": "cross-site",
  });
  assert.equal(crossSite.status, 403);
  await crossSite.body?.cancel();
  const same = await client.postForm("/register", form, {
    origin: server.url,
    "sec-fetch-site": "same-origin",
  });
  assert.equal(same.status, 303);
});

Deno.test("responses carry security headers with a strict-origin referrer policy and a script CSP", async () => {
  await using server = await startTestServer();
  const res = await new TestClient(server.url).fetch("/login");
  await res.body?.cancel();
  assert.equal(
    res.headers.get("referrer-policy"),
    "strict-origin-when-cross-origin",
  );
  assert.match(
    res.headers.get("content-security-policy") ?? "",
    /script-src 'self'/,
  );
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});
