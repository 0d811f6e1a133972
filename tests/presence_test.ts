import assert from "node:assert/strict";
import { registerPair, startTestServer, TestClient } from "./helpers.ts";
import {
  openStream,
  presenceOf,
  putSettings,
  send,
  waitFor,
} from "./signals_helpers.ts";
import { LocalBus } from "../lib/bus.ts";
import { Db } from "../lib/db/db.ts";
import { keys } from "../lib/db/keys.ts";
import { PresenceTracker } from "../lib/presence.ts";

Deno.test("presence: online after a request, offline and never seen before any; 404 unknown, 401 signed out", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  // Registering answers a redirect; no signed-in request has been made yet.
  assert.deepEqual(await presenceOf(alice, bobName), {
    online: false,
    lastSeen: null,
  });
  await bob.fetch("/users");
  const p = await presenceOf(alice, bobName);
  assert.equal(p.online, true);
  assert.equal(new Date(p.lastSeen!).toISOString(), p.lastSeen);
  assert.equal(
    (await alice.fetch("/api/users/nobody_here_x/presence")).status,
    404,
  );
  const stranger = new TestClient(server.url);
  assert.equal(
    (await stranger.fetch(`/api/users/${aliceName}/presence`)).status,
    401,
  );
});

Deno.test("last seen hidden from everyone: both directions read offline, never seen", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  await send(alice, bobName, "hi");
  await send(bob, aliceName, "hi");
  assert.equal((await presenceOf(alice, bobName)).online, true);
  assert.equal((await putSettings(bob, { lastSeen: "nobody" })).status, 200);
  const hidden = { online: false, lastSeen: null };
  assert.deepEqual(await presenceOf(alice, bobName), hidden);
  assert.deepEqual(
    await presenceOf(bob, aliceName),
    hidden,
    "who hides theirs cannot see others'",
  );
});

Deno.test("last seen for contacts: hidden from strangers until there is a conversation, both directions", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  await bob.fetch("/users");
  await alice.fetch("/users");
  assert.equal(
    (await putSettings(bob, { lastSeen: "contacts" })).status,
    200,
  );
  const hidden = { online: false, lastSeen: null };
  assert.deepEqual(await presenceOf(alice, bobName), hidden);
  assert.deepEqual(await presenceOf(bob, aliceName), hidden);
  await send(alice, bobName, "now we have a chat");
  assert.equal((await presenceOf(alice, bobName)).online, true);
  assert.equal((await presenceOf(bob, aliceName)).online, true);
});

Deno.test("a contact coming online reaches my stream as a presence event, as my settings allow", async () => {
  await using server = await startTestServer();
  const { alice, bob, bobName } = await registerPair(server.url);
  await send(alice, bobName, "are you around?");
  const stream = await openStream(alice);
  try {
    // Bob's first signed-in request since registering: he comes online.
    await bob.fetch("/users");
    const event = await waitFor(
      () => stream.events.find((e) => e.type === "presence"),
      "a presence event",
    );
    assert.equal(event.user, bobName);
    assert.equal(event.online, true);
    assert.equal(event.id, undefined, "ephemeral: no cursor");
  } finally {
    await stream.close();
  }
});

Deno.test("hiding my last seen updates my contacts' open chats at once", async () => {
  await using server = await startTestServer();
  const { alice, bob, bobName } = await registerPair(server.url);
  await send(alice, bobName, "hi");
  await bob.fetch("/users");
  const stream = await openStream(alice);
  try {
    assert.equal((await putSettings(bob, { lastSeen: "nobody" })).status, 200);
    const event = await waitFor(
      () =>
        stream.events.find((e) =>
          e.type === "presence" && e.user === bobName && !e.online
        ),
      "a presence event hiding bob",
    );
    assert.equal(event.lastSeen, null);
  } finally {
    await stream.close();
  }
});

Deno.test("LocalBus: a request is online for the window, a hold until released; lastSeen is the last moment", async () => {
  const bus = new LocalBus({ onlineMs: 50 });
  assert.deepEqual((await bus.presence(["u"])).get("u"), {
    online: false,
    lastSeen: null,
  });
  bus.touch("u");
  assert.equal((await bus.presence(["u"])).get("u")!.online, true);
  await waitFor(
    async () => !(await bus.presence(["u"])).get("u")!.online,
    "the window to pass",
  );
  const release = bus.hold("u");
  await new Promise((r) => setTimeout(r, 80));
  assert.equal((await bus.presence(["u"])).get("u")!.online, true, "held");
  const beforeRelease = Date.now();
  release();
  await waitFor(
    async () => !(await bus.presence(["u"])).get("u")!.online,
    "offline after release",
  );
  const lastSeen = (await bus.presence(["u"])).get("u")!.lastSeen!;
  assert.ok(lastSeen >= beforeRelease, "last seen is the release");
});

Deno.test("PresenceTracker: tells contacts of online and offline, persists lastSeen at most once a minute", async () => {
  const db = await Db.open(":memory:");
  try {
    const u = await db.createUser({ username: "tracked_u" });
    const peer = await db.createUser({ username: "tracked_peer" });
    await db.sendMessage({ from: u, to: peer, text: "hi" });
    const bus = new LocalBus({ onlineMs: 30 });
    const tracker = new PresenceTracker(bus, db);
    const signals: string[] = [];
    bus.subscribe(peer.id, (s) => signals.push(s.kind));
    for (let i = 0; i < 100; i++) tracker.touch(u.id);
    await waitFor(() => signals.includes("presence"), "online announced");
    assert.equal(signals.length, 1, "once, not per request");
    // Touches cost no commit; the sweep persists (never persisted before), then goes quiet.
    await waitFor(async () => {
      await tracker.sweep();
      return (await db.kv.get(keys.userLastSeen(u.id))).value;
    }, "lastSeen in KV");
    const first = await db.kv.get(keys.userLastSeen(u.id));
    tracker.touch(u.id);
    await tracker.sweep();
    const second = await db.kv.get(keys.userLastSeen(u.id));
    assert.equal(second.versionstamp, first.versionstamp, "not again so soon");
    await waitFor(async () => {
      await tracker.sweep();
      return signals.length === 2;
    }, "offline announced");
    await tracker.flush();
    assert.ok(
      (await db.kv.get<number>(keys.userLastSeen(u.id))).value! >=
        (first.value as number),
    );
  } finally {
    db.close();
  }
});
