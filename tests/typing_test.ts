import assert from "node:assert/strict";
import { registerPair, startTestServer, TestClient } from "./helpers.ts";
import {
  openStream,
  putSettings,
  send,
  typing,
  waitFor,
} from "./signals_helpers.ts";

Deno.test("typing: 204, the peer's stream gets an ephemeral event, and nothing is stored", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  await send(alice, bobName, "hi");
  const start = (await (await alice.fetch("/api/events")).json()).cursor;
  const stream = await openStream(alice);
  try {
    const res = await typing(bob, aliceName);
    assert.equal(res.status, 204);
    const event = await waitFor(
      () => stream.events.find((e) => e.type === "typing"),
      "a typing event",
    );
    assert.equal(event.user, bobName);
    assert.equal(event.conversation.peer, bobName);
    assert.equal(event.conversation.lastMessage.text, "hi");
    assert.equal(event.id, undefined, "no cursor: never stored");
  } finally {
    await stream.close();
  }
  const later = await (await alice.fetch(`/api/events?after=${start}`)).json();
  assert.deepEqual(later.events, [], "the inbox stores no typing");
  assert.equal(later.cursor, start);
});

Deno.test("typing reaches a held long poll, which keeps its cursor", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const start = (await (await alice.fetch("/api/events")).json()).cursor;
  const poll = alice.fetch(`/api/events?after=${start}&wait=20`);
  // The poll is held once bob's typing reaches it; send until it answers.
  let answered = false;
  poll.finally(() => answered = true);
  await waitFor(async () => {
    await typing(bob, aliceName);
    await new Promise((r) => setTimeout(r, 50));
    return answered;
  }, "the poll to answer");
  const body = await (await poll).json();
  assert.equal(body.cursor, start);
  assert.equal(body.events[0].type, "typing");
  assert.equal(body.events[0].user, bobName);
  assert.equal(body.events[0].conversation.lastMessage, null);
});

Deno.test("typing indicators off: I send none, and I see none (both directions)", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  await send(alice, bobName, "hi");
  const aliceStream = await openStream(alice);
  const bobStream = await openStream(bob);
  try {
    assert.equal(
      (await putSettings(bob, { typingIndicators: false })).status,
      200,
    );
    // Bob's notice is dropped; the message after it proves the stream moved on.
    assert.equal((await typing(bob, aliceName)).status, 204);
    const m1 = await send(bob, aliceName, "first");
    await waitFor(
      () => aliceStream.events.find((e) => e.message?.id === m1.id),
      "the message",
    );
    // Alice's notice to Bob, who turned indicators off, is not shown to him.
    assert.equal((await typing(alice, bobName)).status, 204);
    const m2 = await send(alice, bobName, "second");
    await waitFor(
      () => bobStream.events.find((e) => e.message?.id === m2.id),
      "the message",
    );
    assert.equal(
      aliceStream.events.filter((e) => e.type === "typing").length,
      0,
    );
    assert.equal(bobStream.events.filter((e) => e.type === "typing").length, 0);
    // Back on, it flows again.
    await putSettings(bob, { typingIndicators: true });
    await typing(bob, aliceName);
    await waitFor(
      () => aliceStream.events.find((e) => e.type === "typing"),
      "a typing event",
    );
  } finally {
    await aliceStream.close();
    await bobStream.close();
  }
});

Deno.test("typing is rate-limited (429 with Retry-After), needs a session, same origin and a real peer", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  let limited: Response | null = null;
  for (let i = 0; i < 40 && !limited; i++) {
    const res = await typing(alice, bobName);
    if (res.status === 429) limited = res;
    else assert.equal(res.status, 204);
  }
  assert.ok(limited, "a burst is cut off");
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await typing(alice, "no_such_user_x")).status, 404);
  assert.equal(
    (await typing(new TestClient(server.url), bobName)).status,
    401,
  );
  const cross = await alice.fetch(
    `/api/conversations/${bobName}/typing`,
    { method: "POST", headers: { origin: "https://evil.example" } },
  );
  assert.equal(cross.status, 403);
});
