/**
 * Presence, typing and delivery status across three real Natter processes on one KV file
 * and one real redis-server: what one process learns of a user, the others say too.
 * `NATTER_TEST_ONLINE_WINDOW_MS` shortens the 30 s "online after a request" window so a
 * user can be watched going offline; nothing here waits on a clock except bounded waits.
 */
import assert from "node:assert/strict";
import { tempKvDir } from "../bench/server_process.ts";
import { skipRedisTests, startRedis } from "../bench/redis_process.ts";
import { randomUsername, TestClient } from "./helpers.ts";
import {
  type AnyEvent,
  openStream,
  presenceOf,
  putSettings,
  read,
  send,
  typing,
  waitFor,
} from "./signals_helpers.ts";
import {
  busEverywhere,
  sameUserOn,
  threeProcesses,
} from "./multiprocess_helpers.ts";

const ignore = skipRedisTests();
const WINDOW_MS = 1_000;

/** Redis, three processes A, B, C, and alice and bob (who have a conversation). */
async function setUp() {
  const redis = await startRedis();
  const dir = await tempKvDir();
  const servers = await threeProcesses(dir.path("shared"), redis.url, {
    NATTER_TEST_ONLINE_WINDOW_MS: String(WINDOW_MS),
  });
  await busEverywhere(servers, "ok");
  const [a, b, c] = servers;
  const aliceOnA = new TestClient(a.url);
  const bobOnA = new TestClient(a.url);
  const aliceName = await aliceOnA.register(randomUsername("Alice"));
  const bobName = await bobOnA.register(randomUsername("Bob"));
  return {
    redis,
    servers,
    aliceName,
    bobName,
    alice: {
      a: aliceOnA,
      b: sameUserOn(aliceOnA, b.url),
      c: sameUserOn(aliceOnA, c.url),
    },
    bob: {
      a: bobOnA,
      b: sameUserOn(bobOnA, b.url),
      c: sameUserOn(bobOnA, c.url),
    },
    async [Symbol.asyncDispose]() {
      await servers[Symbol.asyncDispose]();
      await redis[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** The presence events about `user` so far. */
function presenceEvents(events: AnyEvent[], user: string): AnyEvent[] {
  return events.filter((e) => e.type === "presence" && e.user === user);
}

Deno.test({
  name:
    "three processes and Redis: presence is one across processes (online, offline with lastSeen, live events, two holds), and answers from memory while Redis is down",
  ignore,
  async fn() {
    await using t = await setUp();
    const { alice, bob, bobName } = t;
    await send(alice.a, bobName, "are you around?");
    const aliceStream = await openStream(alice.c);
    try {
      // Bob holds his stream on A: alice, on C, hears it and reads it.
      const opened = Date.now();
      const bobOnA = await openStream(bob.a);
      const online = await waitFor(
        () => presenceEvents(aliceStream.events, bobName).find((e) => e.online),
        "a presence event on C for bob coming online on A",
      );
      assert.equal(online.id, undefined, "ephemeral: no cursor");
      assert.equal((await presenceOf(alice.c, bobName)).online, true);

      // Bob is online on two processes; B's stream drops, A's holds: still online, and no
      // process tells alice he left (each announcement is read back from Redis on C).
      const bobOnB = await openStream(bob.b);
      // B saw him come online too and says so (the same news twice, read back from Redis).
      await waitFor(
        () => presenceEvents(aliceStream.events, bobName).length === 2,
        "B's announcement",
      );
      await bobOnB.close();
      // Past B's window and a sweep there (the sweep runs as often as the window lasts).
      const quietUntil = Date.now() + 3 * WINDOW_MS;
      await waitFor(() => Date.now() > quietUntil, "B's window to pass");
      assert.equal(
        (await presenceOf(alice.c, bobName)).online,
        true,
        "A holds",
      );
      assert.equal(
        presenceEvents(aliceStream.events, bobName).length,
        2,
        "B, where he left, did not announce him offline while A holds",
      );
      assert.ok(
        presenceEvents(aliceStream.events, bobName).every((e) => e.online),
      );

      // A's stream ends: after the window, C says offline with the last moment seen.
      await bobOnA.close();
      const offline = await waitFor(
        () =>
          presenceEvents(aliceStream.events, bobName).find((e) => !e.online),
        "a presence event on C for bob going offline on A",
      );
      assert.ok(offline.lastSeen, "offline with a lastSeen");
      const p = await waitFor(async () => {
        const p = await presenceOf(alice.c, bobName);
        return p.online ? null : p;
      }, "C to say bob is offline");
      assert.ok(p.lastSeen, "lastSeen");
      assert.equal(new Date(p.lastSeen).toISOString(), p.lastSeen);
      assert.ok(
        Date.parse(p.lastSeen) >= opened,
        "seen after his stream opened",
      );
    } finally {
      await aliceStream.close();
    }

    // Redis dies: each process answers presence from its own memory, never a 5xx.
    await t.redis.kill();
    await busEverywhere(t.servers, "down");
    const bobStream = await openStream(bob.a);
    try {
      assert.equal(
        (await presenceOf(alice.a, bobName)).online,
        true,
        "A knows",
      );
      const elsewhere = await presenceOf(alice.c, bobName); // 200, whatever C knows
      assert.equal(typeof elsewhere.online, "boolean");
      assert.equal((await typing(alice.b, bobName)).status, 204);
      assert.equal((await typing(alice.a, bobName)).status, 204);
      await waitFor(
        () => bobStream.events.some((e) => e.type === "typing"),
        "typing within A while Redis is down",
      );
    } finally {
      await bobStream.close();
    }
  },
});

Deno.test({
  name:
    "three processes and Redis: typing through B reaches bob's stream on A as each side's settings (changed through other processes) allow; a send through A is delivered by bob's stream on C and read through C, told to alice's stream on B; hiding last seen through C holds on A and B",
  ignore,
  async fn() {
    await using t = await setUp();
    const { alice, bob, aliceName, bobName } = t;
    await send(alice.a, bobName, "hello");
    const bobStream = await openStream(bob.a);
    // Bob also holds a stream on C, for the delivery below: opened now, so he never goes
    // offline while his stream moves from A to C.
    const bobOnC = await openStream(bob.c);
    /** The index just after message `id` in bob's stream, once it came. */
    const seenAt = (id: string, what: string) =>
      waitFor(() => {
        const i = bobStream.events.findIndex((e) =>
          e.type === "message" && e.message.id === id
        );
        return i >= 0 ? i + 1 : 0;
      }, what);
    /** Posts a typing notice through B; returns bob's events until it was surely handled. */
    const typingThenMarker = async (marker: string) => {
      assert.equal((await typing(alice.b, bobName)).status, 204);
      // Sent through B after the notice, so A hears the notice first (Redis keeps one
      // connection's order). A read already under way may still bring the first marker
      // ahead of the notice; the second is sent once the first was written, and A handles
      // pending notices before it reads again, so a notice that passed is before it.
      await seenAt((await send(alice.b, bobName, marker)).id, marker);
      const at = await seenAt(
        (await send(alice.b, bobName, `${marker} again`)).id,
        `${marker} again`,
      );
      return bobStream.events.slice(0, at - 1);
    };
    const typingFromAlice = (events: AnyEvent[]) =>
      events.filter((e) => e.type === "typing" && e.user === aliceName);
    try {
      // 1. Allowed: the notice posted to B arrives on A.
      let before = await typingThenMarker("one");
      assert.equal(typingFromAlice(before).length, 1);
      assert.equal(typingFromAlice(before)[0].conversation.peer, aliceName);
      assert.equal(typingFromAlice(before)[0].id, undefined, "no cursor");

      // 2. Bob turns typing indicators off through C: A (where his stream is) stops at once.
      assert.equal(
        (await putSettings(bob.c, { typingIndicators: false })).status,
        200,
      );
      let seen = bobStream.events.length;
      before = await typingThenMarker("two");
      assert.equal(typingFromAlice(before.slice(seen)).length, 0, "bob off");

      // 3. Back on through C: the notice arrives again.
      assert.equal(
        (await putSettings(bob.c, { typingIndicators: true })).status,
        200,
      );
      seen = bobStream.events.length;
      before = await typingThenMarker("three");
      assert.equal(typingFromAlice(before.slice(seen)).length, 1, "bob on");

      // 4. Alice turns hers off through A: B, where she types, sends nothing.
      assert.equal(
        (await putSettings(alice.a, { typingIndicators: false })).status,
        200,
      );
      seen = bobStream.events.length;
      before = await typingThenMarker("four");
      assert.equal(typingFromAlice(before.slice(seen)).length, 0, "alice off");
    } finally {
      await bobStream.close();
    }

    // Delivered: bob's stream is on C, alice's on B, the message goes through A.
    const aliceStream = await openStream(alice.b);
    try {
      const message = await send(alice.a, bobName, "delivered?");
      assert.equal(message.status, "sent");
      await waitFor(
        () =>
          bobOnC.events.some((e) =>
            e.type === "message" && e.message.id === message.id
          ),
        "the message on bob's stream on C",
      );
      const status = await waitFor(
        () =>
          aliceStream.events.find((e) =>
            e.type === "status" && e.upTo === message.id
          ),
        "a status event on alice's stream on B",
      );
      assert.equal(status.status, "delivered");
      assert.equal(status.conversation.peer, bobName);
      // Read through C: alice's stream on B hears that too.
      await read(bob.c, aliceName, message.id);
      await waitFor(
        () =>
          aliceStream.events.find((e) =>
            e.type === "status" && e.upTo === message.id && e.status === "read"
          ),
        "a read status event on alice's stream on B",
      );

      // Bob hides his last seen through C: alice's open chat on B hears it at once, and
      // A, which cached bob's settings for the typing checks, hides it too.
      const from = aliceStream.events.length;
      assert.equal(
        (await putSettings(bob.c, { lastSeen: "nobody" })).status,
        200,
      );
      const hidden = await waitFor(
        () =>
          aliceStream.events.slice(from).find((e) =>
            e.type === "presence" && e.user === bobName && !e.online
          ),
        "a presence event on B hiding bob",
      );
      assert.equal(hidden.lastSeen, null);
      assert.deepEqual(await presenceOf(alice.a, bobName), {
        online: false,
        lastSeen: null,
      });
    } finally {
      await aliceStream.close();
      await bobOnC.close();
    }
  },
});
