import assert from "node:assert/strict";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";
import { putSettings } from "./signals_helpers.ts";

const DEFAULTS = {
  readReceipts: true,
  typingIndicators: true,
  lastSeen: "everyone",
};

Deno.test("settings: defaults, PUT takes any subset and answers with the whole, GET reflects it", async () => {
  await using server = await startTestServer();
  const me = new TestClient(server.url);
  await me.register(randomUsername());
  const res = await me.fetch("/api/settings");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.deepEqual(await res.json(), DEFAULTS);
  const put = await putSettings(me, { lastSeen: "contacts" });
  assert.equal(put.status, 200);
  assert.deepEqual(await put.json(), { ...DEFAULTS, lastSeen: "contacts" });
  await putSettings(me, { readReceipts: false, typingIndicators: false });
  assert.deepEqual(await (await me.fetch("/api/settings")).json(), {
    readReceipts: false,
    typingIndicators: false,
    lastSeen: "contacts",
  });
});

Deno.test("settings: an unknown value or field is a 422 and changes nothing; auth, CSRF and JSON are required", async () => {
  await using server = await startTestServer();
  const me = new TestClient(server.url);
  await me.register(randomUsername());
  for (
    const bad of [
      { lastSeen: "friends" },
      { readReceipts: "yes" },
      { typingIndicators: 1 },
      { colour: "blue" },
      { readReceipts: false, lastSeen: "some" },
    ]
  ) {
    const res = await putSettings(me, bad);
    assert.equal(res.status, 422, JSON.stringify(bad));
    const body = await res.json();
    assert.equal(body.error.code, "invalid_fields");
  }
  assert.deepEqual(await (await me.fetch("/api/settings")).json(), DEFAULTS);
  assert.equal(
    (await putSettings(new TestClient(server.url), { readReceipts: false }))
      .status,
    401,
  );
  const cross = await me.fetch("/api/settings", {
    method: "PUT",
    headers: {
      "content-type": "application/json",
      origin: "https://evil.example",
    },
    body: "{}",
  });
  assert.equal(cross.status, 403);
  const text = await me.fetch("/api/settings", {
    method: "PUT",
    headers: { "content-type": "text/plain" },
    body: "{}",
  });
  assert.equal(text.status, 415);
});

Deno.test("the /settings page works without JavaScript: a form post saves and redirects back", async () => {
  await using server = await startTestServer();
  const me = new TestClient(server.url);
  await me.register(randomUsername());
  const page = await me.fetch("/settings");
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /name="readReceipts"[^>]*checked/);
  assert.match(html, /value="everyone"[^>]*checked/);
  // Unchecked boxes are absent from a form post.
  const saved = await me.postForm("/settings", {
    typingIndicators: "on",
    lastSeen: "nobody",
  });
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get("location"), "/settings?saved=1");
  assert.deepEqual(await (await me.fetch("/api/settings")).json(), {
    readReceipts: false,
    typingIndicators: true,
    lastSeen: "nobody",
  });
  const after = await (await me.fetch("/settings?saved=1")).text();
  assert.match(after, /Settings saved/);
  assert.match(after, /value="nobody"[^>]*checked/);
  const bad = await me.postForm("/settings", { lastSeen: "friends" });
  assert.equal(bad.status, 422);
  assert.equal((await me.fetch("/settings")).status, 200);
  assert.equal(
    (await (await me.fetch("/api/settings")).json()).lastSeen,
    "nobody",
    "a refused form changes nothing",
  );
});
