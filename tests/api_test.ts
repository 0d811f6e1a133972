import assert from "node:assert/strict";
import {
  messagesPath,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";

const api = messagesPath;

async function expectError(res: Response, status: number, code: string) {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  return body.error;
}

Deno.test("POST then GET messages round-trips the documented JSON shapes", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const sent = await alice.postJson(api(bobName.toUpperCase()), {
    text: "  hello <b>bob</b>  ",
  });
  assert.equal(sent.status, 201);
  assert.match(sent.headers.get("content-type") ?? "", /application\/json/);
  const { message } = await sent.json();
  assert.deepEqual(Object.keys(message).sort(), [
    "attachments",
    "from",
    "id",
    "sentAt",
    "status",
    "text",
    "to",
  ]);
  assert.equal(message.status, "sent");
  assert.equal(message.from, aliceName);
  assert.equal(message.to, bobName);
  assert.equal(
    message.text,
    "hello <b>bob</b>",
    "text is trimmed, never altered otherwise",
  );
  assert.equal(new Date(message.sentAt).toISOString(), message.sentAt);

  const res = await bob.fetch(api(aliceName));
  assert.equal(res.status, 200);
  const body = await res.json();
  // Only the sender sees a status.
  const { status: _status, ...seenByPeer } = message;
  assert.deepEqual(body.messages, [seenByPeer]);
  assert.equal(typeof body.cursor, "string");
});

Deno.test("GET with the returned cursor yields exactly the later messages, oldest first", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  for (let i = 1; i <= 5; i++) {
    const res = await (i % 2 ? alice : bob).postJson(
      api(i % 2 ? bobName : aliceName),
      { text: `m${i}` },
    );
    assert.equal(res.status, 201);
  }
  const first = await (await alice.fetch(`${api(bobName)}?limit=2`)).json();
  assert.deepEqual(first.messages.map((m: { text: string }) => m.text), [
    "m4",
    "m5",
  ]);
  const empty =
    await (await alice.fetch(`${api(bobName)}?after=${first.cursor}`)).json();
  assert.deepEqual(empty.messages, []);
  assert.equal(empty.cursor, first.cursor, "no news keeps the same cursor");
  for (let i = 6; i <= 9; i++) {
    await bob.postJson(api(aliceName), { text: `m${i}` });
  }
  const later =
    await (await alice.fetch(`${api(bobName)}?after=${first.cursor}&limit=3`))
      .json();
  assert.deepEqual(later.messages.map((m: { text: string }) => m.text), [
    "m6",
    "m7",
    "m8",
  ]);
  const rest =
    await (await alice.fetch(`${api(bobName)}?after=${later.cursor}`)).json();
  assert.deepEqual(rest.messages.map((m: { text: string }) => m.text), ["m9"]);
});

Deno.test("GET without after returns the newest 50 by default", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  for (let i = 1; i <= 55; i++) {
    await alice.postJson(api(bobName), { text: `n${i}` });
  }
  const body = await (await alice.fetch(api(bobName))).json();
  assert.equal(body.messages.length, 50);
  assert.equal(body.messages[0].text, "n6");
  assert.equal(body.messages[49].text, "n55");
});

Deno.test("the API answers bad input with the documented status, code and field", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  await expectError(
    await alice.fetch(`${api(bobName)}?after=not-a-cursor`),
    400,
    "bad_cursor",
  );
  await expectError(
    await alice.fetch(`${api(bobName)}?limit=0`),
    422,
    "invalid_fields",
  );
  await expectError(
    await alice.fetch(`${api(bobName)}?limit=101`),
    422,
    "invalid_fields",
  );
  await expectError(
    await alice.fetch(api("nobody_here")),
    404,
    "user_not_found",
  );
  await expectError(
    await alice.fetch(api(bobName), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    }),
    400,
    "malformed_json",
  );
  await expectError(
    await alice.fetch(api(bobName), {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ text: "hi" }),
    }),
    415,
    "unsupported_media_type",
  );
  const empty = await expectError(
    await alice.postJson(api(bobName), { text: "   " }),
    422,
    "invalid_fields",
  );
  assert.deepEqual(empty.details.issues[0].path, ["text"]);
  const long = await expectError(
    await alice.postJson(api(bobName), { text: "x".repeat(4001) }),
    422,
    "invalid_fields",
  );
  assert.match(long.details.issues[0].message, /4000/);
  await expectError(
    await alice.postJson(api(bobName), { nope: 1 }),
    422,
    "invalid_fields",
  );
  await expectError(
    await alice.postJson(api(bobName), { text: "x".repeat(41 * 1024) }),
    413,
    "payload_too_large",
  );
  await expectError(
    await alice.postJson(api(bobName), { text: "hi" }, {
      origin: "https://evil.example",
    }),
    403,
    "cross_origin",
  );
  const ok = await alice.postJson(api(bobName), { text: "x".repeat(4000) });
  assert.equal(ok.status, 201, "exactly 4000 characters is allowed");
});

Deno.test("nobody reads a conversation they are not in", async () => {
  await using server = await startTestServer();
  const { alice, aliceName, bobName } = await registerPair(server.url);
  await alice.postJson(api(bobName), { text: "secret for bob" });
  const carol = new TestClient(server.url);
  await carol.register();
  // Carol can only ever address her own conversation with each person.
  for (const peer of [aliceName, bobName]) {
    const body = await (await carol.fetch(api(peer))).json();
    assert.deepEqual(body.messages, []);
    const page = await (await carol.fetch(`/chat/${peer}`)).text();
    assert.ok(!page.includes("secret for bob"));
  }
  const anonymous = await new TestClient(server.url).fetch(api(aliceName));
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
});

Deno.test("a user cannot open a conversation with themself", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const me = await client.register();
  await expectError(
    await client.postJson(api(me), { text: "hi me" }),
    404,
    "user_not_found",
  );
});

Deno.test("a message's clientId is shown to its sender only", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const clientId = crypto.randomUUID();
  const sent =
    await (await alice.postJson(api(bobName), { text: "hi", clientId })).json();
  assert.equal(sent.message.clientId, clientId);
  const mine = await (await alice.fetch(api(bobName))).json();
  assert.equal(mine.messages[0].clientId, clientId);
  const theirs = await (await bob.fetch(api(aliceName))).json();
  assert.equal(theirs.messages[0].clientId, undefined);
});
