import assert from "node:assert/strict";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";

interface Group {
  id: string;
  kind: string;
  title: string;
  members: Array<{ username: string; role: string }>;
  createdAt: string;
}

interface Msg {
  id: string;
  from: string;
  text: string;
  conversation?: string;
  system?: boolean;
  clientId?: string;
}

async function people(url: string, n: number) {
  return await Promise.all(Array.from({ length: n }, async () => {
    const client = new TestClient(url);
    const name = await client.register(randomUsername("g"));
    return { client, name };
  }));
}

async function create(client: TestClient, name: string, members: string[]) {
  const res = await client.postJson("/api/groups", { name, members });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).conversation as Group;
}

function call(
  client: TestClient,
  method: string,
  path: string,
  body?: unknown,
) {
  return client.fetch(path, {
    method,
    ...(body === undefined ? {} : {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  });
}

async function history(client: TestClient, gid: string, query = "") {
  const res = await client.fetch(`/api/groups/${gid}/messages${query}`);
  assert.equal(res.status, 200);
  return await res.json() as {
    messages: Msg[];
    cursor: string;
    older: string | null;
  };
}

async function send(
  client: TestClient,
  gid: string,
  text: string,
  clientId?: string,
) {
  const res = await client.postJson(`/api/groups/${gid}/messages`, {
    text,
    clientId,
  });
  return { status: res.status, message: (await res.json()).message as Msg };
}

Deno.test("creating a group: the creator is admin, names trimmed, unknown and duplicate names are a 422 naming them", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const group = await create(alice.client, "  Trip  ", [bob.name, carol.name]);
  assert.equal(group.kind, "group");
  assert.equal(group.title, "Trip");
  assert.deepEqual(group.members, [
    { username: alice.name, role: "admin" },
    { username: bob.name, role: "member" },
    { username: carol.name, role: "member" },
  ]);
  const bad = await alice.client.postJson("/api/groups", {
    name: "x",
    members: [bob.name, "nobody_here", bob.name.toUpperCase()],
  });
  assert.equal(bad.status, 422);
  const error = (await bad.json()).error;
  assert.deepEqual(error.details.unknown, ["nobody_here"]);
  assert.deepEqual(error.details.duplicate, [bob.name.toUpperCase()]);
  for (const name of ["", "   ", "x".repeat(101)]) {
    const res = await alice.client.postJson("/api/groups", {
      name,
      members: [],
    });
    assert.equal(res.status, 422);
  }
  const tooMany = await alice.client.postJson("/api/groups", {
    name: "big",
    members: Array.from({ length: 256 }, (_, i) => `user_${i}xx`),
  });
  assert.equal(tooMany.status, 422);
  assert.equal((await tooMany.json()).error.code, "too_many_members");
  const got = await alice.client.fetch(`/api/groups/${group.id}`);
  assert.deepEqual((await got.json()).conversation, group);
});

Deno.test("non-members get 404 on every group route, whether or not the group exists", async () => {
  await using server = await startTestServer();
  const [alice, bob, eve] = await people(server.url, 3);
  const group = await create(alice.client, "Secret", [bob.name]);
  const msg = (await send(alice.client, group.id, "hush")).message;
  for (const gid of [group.id, crypto.randomUUID(), "not-an-id"]) {
    const routes: Array<[string, string, unknown?]> = [
      ["GET", `/api/groups/${gid}`],
      ["PATCH", `/api/groups/${gid}`, { name: "mine" }],
      ["POST", `/api/groups/${gid}/members`, { username: eve.name }],
      ["DELETE", `/api/groups/${gid}/members/${bob.name}`],
      ["PUT", `/api/groups/${gid}/members/${bob.name}`, { role: "admin" }],
      ["GET", `/api/groups/${gid}/messages`],
      ["POST", `/api/groups/${gid}/messages`, { text: "hi" }],
      ["POST", `/api/groups/${gid}/read`, { upTo: msg.id }],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(eve.client, method, path, body);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal((await res.json()).error.code, "group_not_found");
    }
  }
  assert.equal((await history(alice.client, group.id)).messages.length, 2);
});

Deno.test("admins rename, add, promote and remove; members get 403; every change is a system message", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol, dave] = await people(server.url, 4);
  const group = await create(alice.client, "Trip", [bob.name, carol.name]);
  const path = `/api/groups/${group.id}`;
  assert.equal(
    (await call(bob.client, "PATCH", path, { name: "Bob's" })).status,
    403,
  );
  assert.equal(
    (await bob.client.postJson(`${path}/members`, { username: dave.name }))
      .status,
    403,
  );
  const renamed = await call(alice.client, "PATCH", path, { name: " Trip 2 " });
  assert.equal(renamed.status, 200);
  assert.equal((await renamed.json()).conversation.title, "Trip 2");
  const added = await alice.client.postJson(`${path}/members`, {
    username: dave.name,
  });
  assert.equal(added.status, 200);
  assert.equal((await added.json()).conversation.members.length, 4);
  assert.equal(
    (await alice.client.postJson(`${path}/members`, { username: dave.name }))
      .status,
    409,
  );
  const promoted = await call(
    alice.client,
    "PUT",
    `${path}/members/${bob.name}`,
    {
      role: "admin",
    },
  );
  assert.equal(promoted.status, 200);
  assert.equal(
    (await call(alice.client, "PUT", `${path}/members/${bob.name}`, {
      role: "boss",
    }))
      .status,
    422,
  );
  assert.equal(
    (await call(bob.client, "DELETE", `${path}/members/${carol.name}`)).status,
    204,
  );
  assert.equal(
    (await call(dave.client, "DELETE", `${path}/members/${bob.name}`)).status,
    403,
  );
  const texts = (await history(alice.client, group.id)).messages.map((m) => [
    m.system,
    m.text,
    m.conversation,
  ]);
  assert.deepEqual(texts, [
    [true, `${alice.name} created the group “Trip”`, group.id],
    [true, `${alice.name} renamed the group to “Trip 2”`, group.id],
    [true, `${alice.name} added ${dave.name}`, group.id],
    [true, `${alice.name} made ${bob.name} an admin`, group.id],
    [true, `${bob.name} removed ${carol.name}`, group.id],
  ]);
  // Dave joined at the third message: his history starts there.
  const his = await history(dave.client, group.id);
  assert.equal(his.messages[0].text, `${alice.name} added ${dave.name}`);
  assert.equal(his.older, null);
});

Deno.test("a removed member's held poll ends with 404 and the history is closed to them", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const group = await create(alice.client, "Trip", [bob.name, carol.name]);
  const { cursor } = await history(carol.client, group.id);
  const inbox = await (await carol.client.fetch("/api/events")).json();
  const held = carol.client.fetch(
    `/api/groups/${group.id}/messages?after=${cursor}&wait=20`,
  );
  const removed = await call(
    alice.client,
    "DELETE",
    `/api/groups/${group.id}/members/${carol.name}`,
  );
  assert.equal(removed.status, 204);
  assert.equal((await held).status, 404);
  assert.equal(
    (await carol.client.fetch(`/api/groups/${group.id}/messages`)).status,
    404,
  );
  assert.equal((await send(carol.client, group.id, "let me in")).status, 404);
  const list = await (await carol.client.fetch("/api/conversations")).json();
  assert.deepEqual(list.conversations, []);
  await send(alice.client, group.id, "carol cannot see this");
  const events = await (await carol.client.fetch(
    `/api/events?after=${inbox.cursor}`,
  )).json();
  assert.deepEqual(events.events, [], "her inbox no longer carries the group");
});

Deno.test("group sends: exactly once per clientId, paging, polls, read positions and the chat list", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const group = await create(alice.client, "Trip", [bob.name, carol.name]);
  const { cursor } = await history(bob.client, group.id);
  const held = history(bob.client, group.id, `?after=${cursor}&wait=20`);
  const clientId = crypto.randomUUID();
  const first = await send(alice.client, group.id, "hello", clientId);
  assert.equal(first.status, 201);
  assert.equal(first.message.conversation, group.id);
  assert.equal(first.message.clientId, clientId);
  const again = await send(alice.client, group.id, "hello", clientId);
  assert.equal(again.status, 200);
  assert.equal(again.message.id, first.message.id);
  const woke = await held;
  assert.deepEqual(woke.messages.map((m) => [m.from, m.text]), [[
    alice.name,
    "hello",
  ]]);
  assert.equal(
    woke.messages[0].clientId,
    undefined,
    "only the sender sees clientId",
  );
  for (let i = 0; i < 4; i++) await send(carol.client, group.id, `c${i}`);
  const page = await history(bob.client, group.id, "?limit=2");
  assert.deepEqual(page.messages.map((m) => m.text), ["c2", "c3"]);
  const back = await history(
    bob.client,
    group.id,
    `?limit=10&before=${page.older}`,
  );
  assert.equal(back.messages.length, 4);
  assert.equal(back.older, null);
  let list = await (await bob.client.fetch("/api/conversations")).json();
  assert.equal(list.conversations[0].id, group.id);
  assert.equal(list.conversations[0].kind, "group");
  assert.equal(list.conversations[0].title, "Trip");
  assert.equal(list.conversations[0].peer, null);
  assert.equal(
    list.conversations[0].unread,
    6,
    "the creation, hello and c0–c3",
  );
  const read = await bob.client.postJson(`/api/groups/${group.id}/read`, {
    upTo: page.messages[0].id,
  });
  assert.equal(read.status, 204);
  list = await (await bob.client.fetch("/api/conversations")).json();
  assert.equal(list.conversations[0].unread, 1);
});

Deno.test("membership changes reach members as conversation events", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const start = await (await bob.client.fetch("/api/events")).json();
  const group = await create(alice.client, "Trip", [bob.name]);
  await send(alice.client, group.id, "hi");
  await alice.client.postJson(`/api/groups/${group.id}/members`, {
    username: carol.name,
  });
  const page =
    await (await bob.client.fetch(`/api/events?after=${start.cursor}`)).json();
  assert.deepEqual(
    page.events.map((
      e: { type: string; message: Msg },
    ) => [e.type, e.message.text]),
    [
      ["conversation", `${alice.name} created the group “Trip”`],
      ["message", "hi"],
      ["conversation", `${alice.name} added ${carol.name}`],
    ],
  );
  assert.equal(page.events[0].conversation.title, "Trip");
  assert.equal(page.events[1].message.conversation, group.id);
});

Deno.test("the last admin leaving makes the longest-standing member admin; the last member leaving deletes the group", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const group = await create(alice.client, "Trip", [bob.name, carol.name]);
  const path = `/api/groups/${group.id}`;
  assert.equal(
    (await call(alice.client, "DELETE", `${path}/members/${alice.name}`))
      .status,
    204,
  );
  const after = (await (await bob.client.fetch(path)).json())
    .conversation as Group;
  assert.deepEqual(after.members, [
    { username: bob.name, role: "admin" },
    { username: carol.name, role: "member" },
  ]);
  assert.equal(
    (await call(bob.client, "DELETE", `${path}/members/${bob.name}`)).status,
    204,
  );
  assert.equal(
    (await call(carol.client, "DELETE", `${path}/members/${carol.name}`))
      .status,
    204,
  );
  assert.equal((await carol.client.fetch(path)).status, 404);
});

Deno.test("group routes refuse cross-origin writes and bodies that are not JSON", async () => {
  await using server = await startTestServer();
  const [alice, bob] = await people(server.url, 2);
  const forged = await alice.client.postJson(
    "/api/groups",
    { name: "x", members: [bob.name] },
    { origin: "https://evil.example" },
  );
  assert.equal(forged.status, 403);
  const group = await create(alice.client, "Trip", [bob.name]);
  const garbled = await alice.client.fetch(`/api/groups/${group.id}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{",
  });
  assert.equal(garbled.status, 400);
  assert.equal((await history(bob.client, group.id)).messages.length, 1);
});

Deno.test("a member added later gets no event for what was said before they joined, even with an old cursor", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const start = await (await carol.client.fetch("/api/events")).json();
  const group = await create(alice.client, "Trip", [bob.name]);
  await send(alice.client, group.id, "before carol");
  await alice.client.postJson(`/api/groups/${group.id}/members`, {
    username: carol.name,
  });
  await send(bob.client, group.id, "after carol");
  await call(
    alice.client,
    "DELETE",
    `/api/groups/${group.id}/members/${carol.name}`,
  );
  await send(alice.client, group.id, "while carol was out");
  await alice.client.postJson(`/api/groups/${group.id}/members`, {
    username: carol.name,
  });
  const page =
    await (await carol.client.fetch(`/api/events?after=${start.cursor}`))
      .json();
  assert.deepEqual(
    page.events.map((e: { message: Msg }) => e.message.text),
    [`${alice.name} added ${carol.name}`],
    "only what followed her latest joining",
  );
});
