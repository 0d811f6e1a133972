import assert from "node:assert/strict";
import {
  messagesPath,
  randomUsername,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";

async function send(client: TestClient, to: string, text: string) {
  const res = await client.postJson(messagesPath(to), { text });
  assert.equal(res.status, 201);
  return (await res.json()).message as { id: string };
}

const readPath = (peer: string) =>
  `/api/conversations/${encodeURIComponent(peer)}/read`;

async function list(client: TestClient, query = "") {
  const res = await client.fetch(`/api/conversations${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  return await res.json();
}

Deno.test("the read position moves forward only; unread counts the peer's messages after it", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const sent = [];
  for (let i = 1; i <= 4; i++) sent.push(await send(alice, bobName, `m${i}`));
  await send(bob, aliceName, "mine do not count");
  assert.equal((await list(bob)).conversations[0].unread, 4);
  await (await bob.fetch(messagesPath(aliceName))).body?.cancel();
  assert.equal(
    (await list(bob)).conversations[0].unread,
    4,
    "opening the history does not mark it read",
  );
  const up = await bob.postJson(readPath(aliceName), { upTo: sent[2].id });
  assert.equal(up.status, 204);
  assert.equal(up.headers.get("cache-control"), "no-store");
  assert.equal((await list(bob)).conversations[0].unread, 1);
  const back = await bob.postJson(readPath(aliceName), { upTo: sent[0].id });
  assert.equal(back.status, 204);
  assert.equal((await list(bob)).conversations[0].unread, 1, "never back");
  assert.equal((await list(alice)).conversations[0].unread, 1);
});

Deno.test("read refuses unknown ids (422), bad bodies, strangers and outsiders", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const m = await send(alice, bobName, "hello");
  const unknown = await bob.postJson(readPath(aliceName), {
    upTo: crypto.randomUUID(),
  });
  assert.equal(unknown.status, 422);
  assert.equal((await unknown.json()).error.code, "unknown_message");
  for (const body of [{}, { upTo: "" }, { upTo: 5 }]) {
    const res = await bob.postJson(readPath(aliceName), body);
    assert.equal(res.status, 422);
    await res.body?.cancel();
  }
  const carol = new TestClient(server.url);
  const carolName = await carol.register(randomUsername("Carol"));
  const outsider = await carol.postJson(readPath(aliceName), { upTo: m.id });
  assert.equal(outsider.status, 422, "alice's message is not in carol's chat");
  await outsider.body?.cancel();
  const nobody = await bob.postJson(readPath("nobody_here"), { upTo: m.id });
  assert.equal(nobody.status, 404);
  await nobody.body?.cancel();
  const stranger = await new TestClient(server.url).postJson(
    readPath(aliceName),
    { upTo: m.id },
  );
  assert.equal(stranger.status, 401);
  await stranger.body?.cancel();
  assert.ok(carolName);
});

Deno.test("the chat list is newest first with the documented fields, paged by cursor", async () => {
  await using server = await startTestServer();
  const me = new TestClient(server.url);
  const myName = await me.register(randomUsername("Me"));
  const peers = [];
  for (let i = 0; i < 3; i++) {
    const c = new TestClient(server.url);
    const name = await c.register(randomUsername(`P${i}`));
    await send(c, myName, `from ${i}`);
    peers.push(name);
  }
  const all = await list(me);
  assert.deepEqual(
    all.conversations.map((c: { peer: string }) => c.peer),
    [...peers].reverse(),
  );
  const first = all.conversations[0];
  assert.deepEqual(Object.keys(first).sort(), [
    "id",
    "kind",
    "lastMessage",
    "peer",
    "title",
    "unread",
    "updatedAt",
  ]);
  assert.equal(first.kind, "direct");
  assert.equal(first.title, peers[2]);
  assert.equal(first.unread, 1);
  assert.deepEqual(first.lastMessage, {
    from: peers[2],
    text: "from 2",
    sentAt: first.updatedAt,
  });
  assert.equal(all.cursor, null);
  const one = await list(me, "?limit=2");
  assert.equal(one.conversations.length, 2);
  const rest = await list(me, `?limit=2&after=${one.cursor}`);
  assert.deepEqual(rest.conversations.map((c: { peer: string }) => c.peer), [
    peers[0],
  ]);
  assert.equal(rest.cursor, null);
  for (const q of ["?limit=0", "?limit=101", "?limit=x"]) {
    const res = await me.fetch(`/api/conversations${q}`);
    assert.equal(res.status, 422);
    await res.body?.cancel();
  }
  const bad = await me.fetch("/api/conversations?after=nope");
  assert.equal(bad.status, 400);
  await bad.body?.cancel();
  const stranger = await new TestClient(server.url).fetch("/api/conversations");
  assert.equal(stranger.status, 401);
  await stranger.body?.cancel();
});

Deno.test("people search finds names by prefix in any case, never me, within the limit", async () => {
  await using server = await startTestServer();
  const tag = crypto.randomUUID().slice(0, 6);
  const me = new TestClient(server.url);
  await me.register(`zq${tag}_me`);
  for (const n of ["a", "b", "c"]) {
    await new TestClient(server.url).register(`zq${tag}_${n}`);
  }
  await new TestClient(server.url).register(`other_${tag}`);
  const res = await me.fetch(`/api/users?q=ZQ${tag}&limit=2`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.deepEqual((await res.json()).users, [
    { username: `zq${tag}_a` },
    { username: `zq${tag}_b` },
  ]);
  for (const q of ["limit=0", "limit=101", `q=${"x".repeat(33)}`]) {
    const bad = await me.fetch(`/api/users?${q}`);
    assert.equal(bad.status, 422);
    await bad.body?.cancel();
  }
  const page = await me.fetch(`/users?q=zq${tag}`);
  const html = await page.text();
  assert.match(html, new RegExp(`zq${tag}_c`));
  assert.doesNotMatch(html, new RegExp(`other_${tag}`));
  const { bob } = await registerPair(server.url);
  assert.ok(bob);
});
