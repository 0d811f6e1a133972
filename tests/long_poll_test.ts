import assert from "node:assert/strict";
import { MAX_HELD_POLLS_PER_USER } from "../server/rate_limit.ts";
import { encodeCursor } from "../lib/cursor.ts";
import { headWaiterFor } from "../lib/long_poll.ts";
import type { Db } from "../lib/db/db.ts";
import {
  messagesPath,
  randomUsername,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";

const api = messagesPath;

/** Resolves once the server holds `count` polls: proof that a poll is waiting, not answered. */
async function heldPolls(db: Db, count: number): Promise<void> {
  while (headWaiterFor(db).held !== count) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function cursorOf(client: TestClient, peer: string): Promise<string> {
  const res = await client.fetch(api(peer));
  assert.equal(res.status, 200);
  return (await res.json()).cursor;
}

Deno.test("a held poll answers with the message as soon as it is sent", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const cursor = await cursorOf(bob, aliceName);
  const poll = bob.fetch(`${api(aliceName)}?after=${cursor}&wait=25`);
  await heldPolls(server.db, 1);

  const sent = await alice.postJson(api(bobName), { text: "are you there?" });
  assert.equal(sent.status, 201);
  const { message } = await sent.json();

  const res = await poll;
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  // The sender's own status is the sender's business: the peer sees the rest as sent.
  const { status: _status, ...seenByPeer } = message;
  assert.deepEqual(body.messages, [seenByPeer]);
  assert.notEqual(body.cursor, cursor);
  assert.equal(headWaiterFor(server.db).held, 0);
});

Deno.test("a held poll answers at once when a message came just before it", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const cursor = await cursorOf(bob, aliceName);
  await (await alice.postJson(api(bobName), { text: "early" })).body?.cancel();
  const res = await bob.fetch(`${api(aliceName)}?after=${cursor}&wait=25`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.messages.map((m: { text: string }) => m.text), [
    "early",
  ]);
});

Deno.test("a held poll with nothing new answers empty with the same cursor after `wait`", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  await (await alice.postJson(api(bobName), { text: "old news" })).body
    ?.cancel();
  const cursor = await cursorOf(bob, aliceName);
  const res = await bob.fetch(`${api(aliceName)}?after=${cursor}&wait=1`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await res.json(), {
    messages: [],
    cursor,
    older: encodeCursor(2), // the page before it ends at message 1
  });
});

Deno.test("a message in another conversation does not wake a held poll", async () => {
  await using server = await startTestServer();
  const { bob, aliceName, bobName } = await registerPair(server.url);
  const carol = new TestClient(server.url);
  await carol.register(randomUsername("Carol"));
  const cursor = await cursorOf(bob, aliceName);
  const poll = bob.fetch(`${api(aliceName)}?after=${cursor}&wait=1`);
  await heldPolls(server.db, 1);
  await (await carol.postJson(api(bobName), { text: "not for that chat" }))
    .body?.cancel();
  assert.equal(headWaiterFor(server.db).held, 1, "still held");
  assert.deepEqual(await (await poll).json(), {
    messages: [],
    cursor,
    older: null,
  });
});

Deno.test("many polls on one conversation share its watch and all wake", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const cursor = await cursorOf(bob, aliceName);
  // Each user holds as many polls as the per-user cap allows.
  const count = 2 * MAX_HELD_POLLS_PER_USER;
  const polls = Array.from(
    { length: count },
    (_, i) =>
      (i % 2 ? bob : alice).fetch(
        `${api(i % 2 ? aliceName : bobName)}?after=${cursor}&wait=25`,
      ),
  );
  await heldPolls(server.db, count);
  await (await alice.postJson(api(bobName), { text: "to everyone" })).body
    ?.cancel();
  for (const res of await Promise.all(polls)) {
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.messages.length, 1);
    assert.equal(body.messages[0].text, "to everyone");
  }
});

Deno.test("a held poll ends on the server when its client goes away", async () => {
  await using server = await startTestServer();
  const { bob, aliceName } = await registerPair(server.url);
  const cursor = await cursorOf(bob, aliceName);
  const controller = new AbortController();
  const poll = bob.fetch(`${api(aliceName)}?after=${cursor}&wait=25`, {
    signal: controller.signal,
  });
  await heldPolls(server.db, 1);
  controller.abort();
  await assert.rejects(poll);
  await heldPolls(server.db, 0);
});

Deno.test("wait outside 0..25 is refused with 422", async () => {
  await using server = await startTestServer();
  const { bob, aliceName } = await registerPair(server.url);
  const cursor = await cursorOf(bob, aliceName);
  for (const wait of ["26", "-1", "soon"]) {
    const res = await bob.fetch(
      `${api(aliceName)}?after=${cursor}&wait=${wait}`,
    );
    assert.equal(res.status, 422);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    await res.body?.cancel();
  }
});
