import assert from "node:assert/strict";
import { spawnServer, tempKvDir } from "../bench/server_process.ts";
import { conversationId, Db } from "../lib/db/db.ts";
import { messagesPath, randomUsername, TestClient } from "./helpers.ts";

const api = messagesPath;

/** The same browser profile (cookies) talking to another server process. */
function sameUserOn(client: TestClient, url: string): TestClient {
  const other = new TestClient(url);
  for (const [name, value] of client.cookies) other.cookies.set(name, value);
  return other;
}

Deno.test("a poll held by one process wakes for a message sent through another on the same KV file", async () => {
  await using dir = await tempKvDir();
  const kvPath = dir.path("shared");
  await using one = await spawnServer({ kvPath });
  await using two = await spawnServer({ kvPath });
  const alice = new TestClient(one.url);
  const bobOnOne = new TestClient(one.url);
  const aliceName = await alice.register(randomUsername("Alice"));
  const bobName = await bobOnOne.register(randomUsername("Bob"));
  const bob = sameUserOn(bobOnOne, two.url);

  const first = await bob.fetch(api(aliceName));
  assert.equal(first.status, 200);
  const { cursor } = await first.json();
  const poll = bob.fetch(`${api(aliceName)}?after=${cursor}&wait=25`);
  // Give the poll time to be held before sending (no assertion depends on it).
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sent = await alice.postJson(api(bobName), { text: "across" });
  assert.equal(sent.status, 201);
  const { message } = await sent.json();

  const res = await poll;
  assert.equal(res.status, 200);
  // The status is the sender's own business: the peer sees the rest.
  const { status: _status, ...seenByPeer } = message;
  assert.deepEqual((await res.json()).messages, [seenByPeer]);
});

Deno.test("two processes sending into the same conversations at once lose and duplicate nothing", async () => {
  await using dir = await tempKvDir();
  const kvPath = dir.path("shared");
  await using one = await spawnServer({ kvPath });
  await using two = await spawnServer({ kvPath });
  const names = ["Alice", "Bob", "Carol"];
  const people = await Promise.all(names.map(async (prefix) => {
    const client = new TestClient(one.url);
    const name = await client.register(randomUsername(prefix));
    return { name, on: [client, sameUserOn(client, two.url)] };
  }));
  const [alice, bob, carol] = people;
  // Alice–Bob and Alice–Carol, both members sending through both processes at once.
  const routes = [[alice, bob], [bob, alice], [alice, carol], [carol, alice]];
  const perRoute = 30;
  const sends = routes.flatMap(([from, to], r) =>
    Array.from({ length: perRoute }, (_, i) => ({
      from,
      to,
      via: i % 2,
      text: `r${r}-m${i}`,
      clientId: crypto.randomUUID(),
    }))
  );
  const post = async (send: (typeof sends)[number], via: number) => {
    const res = await send.from.on[via].postJson(api(send.to.name), {
      text: send.text,
      clientId: send.clientId,
    });
    await res.body?.cancel();
    return res.status;
  };
  const statuses = await Promise.all(sends.map((send) => post(send, send.via)));
  assert.deepEqual(new Set(statuses), new Set([201]));
  // A third of the sends retried through the other process return the stored message.
  const retried = sends.filter((_, i) => i % 3 === 0);
  const retries = await Promise.all(
    retried.map((send) => post(send, 1 - send.via)),
  );
  assert.deepEqual(new Set(retries), new Set([200]));

  using db = await openDb(kvPath);
  for (const peer of [bob, carol]) {
    const aliceId = (await db.getUserByName(alice.name))!.id;
    const peerId = (await db.getUserByName(peer.name))!.id;
    const cid = conversationId(aliceId, peerId);
    const stored = await db.listMessages(cid, { afterSeq: 0, limit: 1000 });
    assert.deepEqual(
      stored.map((m) => m.seq),
      Array.from({ length: 2 * perRoute }, (_, i) => i + 1),
      "a gap-free order",
    );
    const expected = sends
      .filter((send) => send.from === peer || send.to === peer)
      .map((send) => send.text);
    assert.deepEqual(stored.map((m) => m.text).sort(), expected.sort());
    assert.equal((await db.getConversationHead(cid))?.seq, 2 * perRoute);
  }
});

async function openDb(path: string): Promise<Db & Disposable> {
  const db = await Db.open(path);
  return Object.assign(db, { [Symbol.dispose]: () => db.close() });
}

Deno.test("an events poll held by one process wakes for a message sent through another", async () => {
  await using dir = await tempKvDir();
  const kvPath = dir.path("inbox");
  await using one = await spawnServer({ kvPath });
  await using two = await spawnServer({ kvPath });
  const alice = new TestClient(one.url);
  const bobOnOne = new TestClient(one.url);
  await alice.register(randomUsername("Alice"));
  const bobName = await bobOnOne.register(randomUsername("Bob"));
  const bob = sameUserOn(bobOnOne, two.url);
  const { cursor } = await (await bob.fetch("/api/events")).json();
  const poll = bob.fetch(`/api/events?after=${cursor}&wait=25`);
  const sent = await alice.postJson(api(bobName), { text: "across" });
  assert.equal(sent.status, 201);
  const { message: { status: _status, ...message } } = await sent.json();
  const res = await poll;
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.events.map((e: { message: unknown }) => e.message), [
    message,
  ]);
});
