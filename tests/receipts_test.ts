import assert from "node:assert/strict";
import { registerPair, startTestServer, type TestClient } from "./helpers.ts";
import {
  type AnyEvent,
  openStream,
  page,
  putSettings,
  read,
  send,
  statusOf,
  waitFor,
} from "./signals_helpers.ts";

async function events(client: TestClient, after: string) {
  const res = await client.fetch(`/api/events?after=${after}`);
  assert.equal(res.status, 200);
  return (await res.json()) as { events: AnyEvent[]; cursor: string };
}

async function cursor(client: TestClient): Promise<string> {
  return (await (await client.fetch("/api/events")).json()).cursor;
}

Deno.test("my messages go sent → delivered (the peer's page) → read; the peer's view has no status", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const m = await send(alice, bobName, "hello");
  assert.equal(m.status, "sent");
  assert.equal(await statusOf(alice, bobName, m.id), "sent");

  const bobView = await page(bob, aliceName);
  assert.equal(bobView[0].status, undefined, "others' messages carry none");
  await waitFor(
    async () => (await statusOf(alice, bobName, m.id)) === "delivered",
    "delivered",
  );

  await read(bob, aliceName, m.id);
  assert.equal(await statusOf(alice, bobName, m.id), "read");
});

Deno.test("the sender's inbox gets status events: delivered up to the newest received, then read", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const start = await cursor(alice);
  const bobStart = await cursor(bob);
  const m1 = await send(alice, bobName, "one");
  const m2 = await send(alice, bobName, "two");
  // Bob's long poll of his inbox receives both: that is a delivery.
  const got = await events(bob, bobStart);
  assert.deepEqual(got.events.map((e) => e.message?.text), ["one", "two"]);

  const delivered = await waitFor(async () => {
    const page = await events(alice, start);
    return page.events.find((e) => e.type === "status");
  }, "a status event");
  assert.equal(delivered.status, "delivered");
  assert.equal(delivered.upTo, m2.id);
  assert.equal(delivered.conversation.peer, bobName);
  assert.ok(delivered.at, "the event says when");

  await read(bob, aliceName, m1.id);
  const after = await events(alice, start);
  const reads = after.events.filter((e) =>
    e.type === "status" && e.status === "read"
  );
  assert.equal(reads.length, 1);
  assert.equal(reads[0].upTo, m1.id);
  const statuses = await page(alice, bobName);
  assert.deepEqual(statuses.map((m) => m.status), ["read", "delivered"]);
});

Deno.test("receiving through the event stream delivers, and the sender's stream hears it live", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName: _a, bobName } = await registerPair(server.url);
  const aliceStream = await openStream(alice);
  const bobStream = await openStream(bob);
  try {
    const m = await send(alice, bobName, "live");
    await waitFor(
      () => bobStream.events.find((e) => e.message?.id === m.id),
      "bob's message event",
    );
    const status = await waitFor(
      () => aliceStream.events.find((e) => e.type === "status"),
      "alice's status event",
    );
    assert.equal(status.status, "delivered");
    assert.equal(status.upTo, m.id);
    assert.ok(status.id, "a status event is stored: it has a cursor");
    const mine = aliceStream.events.find((e) => e.message?.id === m.id);
    assert.equal(mine?.message.status, "sent");
  } finally {
    await aliceStream.close();
    await bobStream.close();
  }
});

Deno.test("a status only moves forward: an older read or a later page never lowers it", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const m1 = await send(alice, bobName, "one");
  const m2 = await send(alice, bobName, "two");
  await page(bob, aliceName);
  await read(bob, aliceName, m2.id);
  await read(bob, aliceName, m1.id);
  await page(bob, aliceName);
  assert.deepEqual((await page(alice, bobName)).map((m) => m.status), [
    "read",
    "read",
  ]);
  assert.equal(await statusOf(alice, bobName, m2.id), "read");
});

Deno.test("read receipts off on the reader: the sender sees at most delivered, and the reader sees no reads either", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  assert.equal((await putSettings(bob, { readReceipts: false })).status, 200);
  const fromAlice = await send(alice, bobName, "did you read this?");
  const fromBob = await send(bob, aliceName, "and this?");
  await read(bob, aliceName, fromAlice.id);
  assert.equal(await statusOf(alice, bobName, fromAlice.id), "delivered");
  // Alice reads Bob's message: Bob, who hides his reads, sees no read either.
  await read(alice, bobName, fromBob.id);
  assert.equal(await statusOf(bob, aliceName, fromBob.id), "delivered");
});

Deno.test("read receipts off on the sender: she sees at most delivered, and her reads produce none", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  assert.equal((await putSettings(alice, { readReceipts: false })).status, 200);
  const fromAlice = await send(alice, bobName, "one");
  await read(bob, aliceName, fromAlice.id);
  assert.equal(await statusOf(alice, bobName, fromAlice.id), "delivered");
  const fromBob = await send(bob, aliceName, "two");
  await read(alice, bobName, fromBob.id);
  assert.equal(await statusOf(bob, aliceName, fromBob.id), "delivered");
  // Turned back on, the next read is a receipt again (forward only, up to there).
  await putSettings(alice, { readReceipts: true });
  const again = await send(alice, bobName, "three");
  await read(bob, aliceName, again.id);
  assert.deepEqual(
    (await page(alice, bobName)).filter((m) => m.from === aliceName).map((
      m,
    ) => m.status),
    ["read", "read"],
  );
});

Deno.test("deleting a user removes their settings, last seen and the statuses of both members", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  await putSettings(alice, { lastSeen: "contacts" });
  const m = await send(alice, bobName, "hi");
  await page(bob, aliceName);
  await read(bob, aliceName, m.id);
  const aliceUser = (await server.db.getUserByName(aliceName))!;
  await server.db.saveLastSeen(new Map([[aliceUser.id, Date.now()]]));
  await server.db.deleteUserCascade(aliceUser.id);
  const left: string[] = [];
  for await (const entry of server.db.kv.list({ prefix: [] })) {
    if (JSON.stringify(entry.key).includes(aliceUser.id)) {
      left.push(JSON.stringify(entry.key));
    }
  }
  assert.deepEqual(left, []);
});
