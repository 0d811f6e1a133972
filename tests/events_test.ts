import assert from "node:assert/strict";
import {
  messagesPath,
  randomUsername,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";

interface EventBody {
  type: string;
  conversation: { id: string; peer: string; unread: number };
  message?: { id: string; text: string; from: string };
  upTo?: string;
}

async function events(client: TestClient, query: string) {
  const res = await client.fetch(`/api/events?${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  return await res.json() as { events: EventBody[]; cursor: string };
}

async function send(client: TestClient, to: string, text: string) {
  const res = await client.postJson(messagesPath(to), { text });
  assert.equal(res.status, 201);
  return (await res.json()).message as { id: string };
}

Deno.test("without after, events answers at once with none and a cursor; then exactly what follows", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const start = await events(bob, "");
  assert.deepEqual(start.events, []);
  await send(alice, bobName, "one");
  await send(bob, aliceName, "two (mine, from another tab)");
  const page = await events(bob, `after=${start.cursor}`);
  assert.deepEqual(page.events.map((e) => [e.type, e.message?.text]), [
    ["message", "one"],
    ["message", "two (mine, from another tab)"],
  ]);
  assert.equal(page.events[0].conversation.peer, aliceName);
  assert.equal(page.events[1].conversation.unread, 1);
  const again = await events(bob, `after=${page.cursor}`);
  assert.deepEqual(again.events, [], "nothing twice");
  assert.equal(again.cursor, page.cursor);
});

Deno.test("a held events poll answers as soon as a message for me is sent", async () => {
  await using server = await startTestServer();
  const { alice, bob, bobName } = await registerPair(server.url);
  const { cursor } = await events(bob, "");
  const held = events(bob, `after=${cursor}&wait=20`);
  await send(alice, bobName, "wake up");
  const page = await held;
  assert.deepEqual(page.events.map((e) => e.message?.text), ["wake up"]);
});

Deno.test("three people writing at once: every event exactly once, in versionstamp order, none skipped", async () => {
  await using server = await startTestServer();
  const bob = new TestClient(server.url);
  const bobName = await bob.register(randomUsername("Bob"));
  const writers = await Promise.all([0, 1, 2].map(async (i) => {
    const c = new TestClient(server.url);
    return { c, name: await c.register(randomUsername(`W${i}`)) };
  }));
  let { cursor } = await events(bob, "");
  const seen: string[] = [];
  const sending = Promise.all(
    writers.map(async (w) => {
      for (let i = 0; i < 15; i++) await send(w.c, bobName, `${w.name}:${i}`);
    }),
  );
  let done = false;
  sending.then(() => done = true);
  while (!done || seen.length < 45) {
    const page = await events(bob, `after=${cursor}&wait=2`);
    seen.push(...page.events.map((e) => e.message!.text));
    cursor = page.cursor;
  }
  await sending;
  assert.equal(seen.length, 45);
  assert.equal(new Set(seen).size, 45, "none twice");
  for (const w of writers) {
    const mine = seen.filter((t) => t.startsWith(`${w.name}:`));
    assert.deepEqual(
      mine,
      Array.from({ length: 15 }, (_, i) => `${w.name}:${i}`),
    );
  }
});

Deno.test("events after a cursor more than 1,000 events behind answer 410 cursor_expired", async () => {
  await using server = await startTestServer();
  const { bob, aliceName, bobName } = await registerPair(server.url);
  const { cursor } = await events(bob, "");
  // Straight into KV through the server's own Db: 1,001 sends over HTTP would be slow.
  const alice = (await server.db.getUserByName(aliceName))!;
  const bobUser = (await server.db.getUserByName(bobName))!;
  for (let i = 0; i < 1001; i++) {
    await server.db.sendMessage({ from: alice, to: bobUser, text: `m${i}` });
  }
  const res = await bob.fetch(`/api/events?after=${cursor}`);
  assert.equal(res.status, 410);
  assert.equal((await res.json()).error.code, "cursor_expired");
  const stream = await bob.fetch(`/api/events/stream?after=${cursor}`);
  assert.equal(stream.status, 410);
  await stream.body?.cancel();
});

Deno.test("events input is validated and strangers are refused", async () => {
  await using server = await startTestServer();
  const { bob } = await registerPair(server.url);
  for (const q of ["after=nope", "wait=26", "wait=-1", "wait=x"]) {
    const res = await bob.fetch(`/api/events?${q}`);
    assert.ok([400, 422].includes(res.status), `${q} → ${res.status}`);
    assert.ok((await res.json()).error.code);
  }
  const stranger = new TestClient(server.url);
  for (const path of ["/api/events", "/api/events/stream"]) {
    const res = await stranger.fetch(path);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  }
  const badId = await bob.fetch("/api/events/stream", {
    headers: { "last-event-id": "garbage" },
  });
  assert.equal(badId.status, 400);
  await badId.body?.cancel();
});
