import assert from "node:assert/strict";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";
import {
  type AnyEvent,
  openStream,
  putSettings,
  waitFor,
} from "./signals_helpers.ts";

interface Msg {
  id: string;
  from: string;
  text: string;
  status?: string;
}

async function people(url: string, n: number) {
  return await Promise.all(Array.from({ length: n }, async () => {
    const client = new TestClient(url);
    const name = await client.register(randomUsername("r"));
    return { client, name };
  }));
}

async function create(client: TestClient, members: string[]) {
  const res = await client.postJson("/api/groups", { name: "Trip", members });
  assert.equal(res.status, 201);
  return (await res.json()).conversation.id as string;
}

async function send(client: TestClient, gid: string, text: string) {
  const res = await client.postJson(`/api/groups/${gid}/messages`, { text });
  assert.equal(res.status, 201);
  return (await res.json()).message as Msg;
}

async function history(client: TestClient, gid: string): Promise<Msg[]> {
  const res = await client.fetch(`/api/groups/${gid}/messages`);
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

async function statusOf(client: TestClient, gid: string, id: string) {
  return (await history(client, gid)).find((m) => m.id === id)?.status;
}

async function read(client: TestClient, gid: string, upTo: string) {
  const res = await client.postJson(`/api/groups/${gid}/read`, { upTo });
  assert.equal(res.status, 204);
}

async function receipts(client: TestClient, gid: string, id: string) {
  const res = await client.fetch(
    `/api/groups/${gid}/messages/${id}/receipts`,
  );
  return {
    status: res.status,
    body: await res.json() as {
      deliveredTo: Array<{ username: string; at: string }>;
      readBy: Array<{ username: string; at: string }>;
      error?: { code: string };
    },
  };
}

Deno.test("a group message is delivered once every other member received it, read once all read it", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const gid = await create(alice.client, [bob.name, carol.name]);
  const m = await send(alice.client, gid, "hello all");
  assert.equal(m.status, "sent");
  assert.equal(await statusOf(alice.client, gid, m.id), "sent");

  await history(bob.client, gid);
  // Bob alone is not everyone: still sent, and bob is in "delivered to".
  await waitFor(
    async () =>
      (await receipts(alice.client, gid, m.id)).body.deliveredTo.length === 1,
    "bob's delivery",
  );
  assert.equal(await statusOf(alice.client, gid, m.id), "sent");
  await history(carol.client, gid);
  await waitFor(
    async () => (await statusOf(alice.client, gid, m.id)) === "delivered",
    "delivered to all",
  );

  await read(bob.client, gid, m.id);
  assert.equal(await statusOf(alice.client, gid, m.id), "delivered");
  let info = (await receipts(alice.client, gid, m.id)).body;
  assert.deepEqual(info.readBy.map((r) => r.username), [bob.name]);
  assert.deepEqual(info.deliveredTo.map((r) => r.username), [carol.name]);
  assert.ok(!Number.isNaN(Date.parse(info.readBy[0].at)));

  await read(carol.client, gid, m.id);
  assert.equal(await statusOf(alice.client, gid, m.id), "read");
  info = (await receipts(alice.client, gid, m.id)).body;
  assert.deepEqual(
    info.readBy.map((r) => r.username).sort(),
    [bob.name, carol.name].sort(),
  );
  assert.deepEqual(info.deliveredTo, []);
  // Others' messages carry no status.
  const bobView = await history(bob.client, gid);
  assert.equal(bobView.find((x) => x.id === m.id)?.status, undefined);
});

Deno.test("the sender's stream gets status events for a group as for a direct chat", async () => {
  await using server = await startTestServer();
  const [alice, bob] = await people(server.url, 2);
  const gid = await create(alice.client, [bob.name]);
  const stream = await openStream(alice.client);
  try {
    const m = await send(alice.client, gid, "ping");
    await history(bob.client, gid);
    const delivered = await waitFor(
      () =>
        stream.events.find((e: AnyEvent) =>
          e.type === "status" && e.status === "delivered"
        ),
      "a delivered event",
    );
    assert.equal(delivered.upTo, m.id);
    assert.equal(delivered.conversation.id, gid);
    assert.equal(delivered.conversation.kind, "group");
    await read(bob.client, gid, m.id);
    const seen = await waitFor(
      () =>
        stream.events.find((e: AnyEvent) =>
          e.type === "status" && e.status === "read"
        ),
      "a read event",
    );
    assert.equal(seen.upTo, m.id);
  } finally {
    await stream.close();
  }
});

Deno.test("a member with read receipts off counts as delivered; a sender with them off sees at most delivered", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const gid = await create(alice.client, [bob.name, carol.name]);
  assert.equal(
    (await putSettings(carol.client, { readReceipts: false })).status,
    200,
  );
  const m = await send(alice.client, gid, "one");
  await read(bob.client, gid, m.id);
  await read(carol.client, gid, m.id);
  assert.equal(await statusOf(alice.client, gid, m.id), "delivered");
  const info = (await receipts(alice.client, gid, m.id)).body;
  assert.deepEqual(info.readBy.map((r) => r.username), [bob.name]);
  assert.deepEqual(info.deliveredTo.map((r) => r.username), [carol.name]);

  // Carol's own message: she turned receipts off, so she sees no reads either.
  const c = await send(carol.client, gid, "two");
  await read(alice.client, gid, c.id);
  await read(bob.client, gid, c.id);
  assert.equal(await statusOf(carol.client, gid, c.id), "delivered");
  assert.deepEqual((await receipts(carol.client, gid, c.id)).body.readBy, []);
});

Deno.test("a member added later does not hold back earlier messages; a removed one stops counting", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol, dave] = await people(server.url, 4);
  const gid = await create(alice.client, [bob.name, carol.name]);
  const m = await send(alice.client, gid, "before dave");
  const add = await alice.client.postJson(`/api/groups/${gid}/members`, {
    username: dave.name,
  });
  assert.equal(add.status, 200);
  await read(bob.client, gid, m.id);
  // Carol never reads; she is removed, and the message is read by all who remain.
  const removed = await alice.client.fetch(
    `/api/groups/${gid}/members/${carol.name}`,
    { method: "DELETE" },
  );
  assert.equal(removed.status, 204);
  const m2 = await send(alice.client, gid, "after");
  const list = await history(bob.client, gid);
  await read(bob.client, gid, list.at(-1)!.id);
  assert.notEqual(await statusOf(alice.client, gid, m2.id), "read");
  const daveView = await history(dave.client, gid);
  await read(dave.client, gid, daveView.at(-1)!.id);
  await waitFor(
    async () => (await statusOf(alice.client, gid, m2.id)) === "read",
    "read by bob and dave",
  );
  const info = (await receipts(alice.client, gid, m.id)).body;
  assert.deepEqual(info.readBy.map((r) => r.username), [bob.name]);
});

Deno.test("receipts: only the sender; 403 for other members, 404 for outsiders and unknown messages", async () => {
  await using server = await startTestServer();
  const [alice, bob, eve] = await people(server.url, 3);
  const gid = await create(alice.client, [bob.name]);
  const m = await send(alice.client, gid, "mine");
  assert.equal((await receipts(alice.client, gid, m.id)).status, 200);
  const other = await receipts(bob.client, gid, m.id);
  assert.equal(other.status, 403);
  assert.equal(other.body.error?.code, "not_sender");
  assert.equal((await receipts(eve.client, gid, m.id)).status, 404);
  const unknown = await receipts(alice.client, gid, crypto.randomUUID());
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error?.code, "message_not_found");
  const anon = await new TestClient(server.url).fetch(
    `/api/groups/${gid}/messages/${m.id}/receipts`,
  );
  assert.equal(anon.status, 401);
  await anon.body?.cancel();
});

Deno.test("group typing: the other members get a typing event naming the group and who; outsiders 404", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol, eve] = await people(server.url, 4);
  const gid = await create(alice.client, [bob.name, carol.name]);
  assert.equal(
    (await putSettings(carol.client, { typingIndicators: false })).status,
    200,
  );
  const bobStream = await openStream(bob.client);
  const carolStream = await openStream(carol.client);
  try {
    const res = await alice.client.fetch(`/api/groups/${gid}/typing`, {
      method: "POST",
    });
    assert.equal(res.status, 204);
    const event = await waitFor(
      () => bobStream.events.find((e) => e.type === "typing"),
      "bob's typing event",
    );
    assert.equal(event.user, alice.name);
    assert.equal(event.conversation.id, gid);
    assert.equal(event.conversation.kind, "group");
    assert.equal(event.id, undefined, "never stored");
    // A message afterwards reaches carol: by then the typing would have too.
    await send(bob.client, gid, "sync");
    await waitFor(
      () => carolStream.events.find((e) => e.type === "message"),
      "carol's message",
    );
    assert.equal(
      carolStream.events.some((e) => e.type === "typing"),
      false,
      "carol turned typing indicators off",
    );
  } finally {
    await bobStream.close();
    await carolStream.close();
  }
  const outsider = await eve.client.fetch(`/api/groups/${gid}/typing`, {
    method: "POST",
  });
  assert.equal(outsider.status, 404);
  await outsider.body?.cancel();
  // The rate limit applies as for direct typing.
  let limited = 0;
  for (let i = 0; i < 30 && limited === 0; i++) {
    const r = await bob.client.fetch(`/api/groups/${gid}/typing`, {
      method: "POST",
    });
    await r.body?.cancel();
    if (r.status === 429) limited++;
  }
  assert.equal(limited, 1);
});

Deno.test("a member who held a message back leaving makes it read by all who remain", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const gid = await create(alice.client, [bob.name, carol.name]);
  const m = await send(alice.client, gid, "read me");
  await read(bob.client, gid, m.id);
  // Carol never opened the group: it has not even reached her.
  assert.equal(await statusOf(alice.client, gid, m.id), "sent");
  const left = await carol.client.fetch(
    `/api/groups/${gid}/members/${carol.name}`,
    { method: "DELETE" },
  );
  assert.equal(left.status, 204);
  assert.equal(await statusOf(alice.client, gid, m.id), "read");
  const info = (await receipts(alice.client, gid, m.id)).body;
  assert.deepEqual(info.readBy.map((r) => r.username), [bob.name]);
  assert.deepEqual(info.deliveredTo, []);
});
