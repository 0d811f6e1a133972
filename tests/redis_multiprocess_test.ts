/**
 * Three real Natter processes on one KV file and one real redis-server behave as one
 * server: delivery across processes through Redis, one send limit, and Redis lost and back.
 *
 * "Through Redis" is provable without timing: while the bus is healthy a process does not
 * re-read KV for other processes' commits (lib/inbox_watch.ts), and the event stream reads
 * only when woken, so an event that arrives at all was carried by Redis.
 */
import assert from "node:assert/strict";
import { spawnServer, tempKvDir } from "../bench/server_process.ts";
import { skipRedisTests, startRedis } from "../bench/redis_process.ts";
import { messagesPath, randomUsername, TestClient } from "./helpers.ts";
import { sseReader } from "./sse_reader.ts";
import {
  busEverywhere,
  sameUserOn,
  threeProcesses,
  within,
} from "./multiprocess_helpers.ts";

const ignore = skipRedisTests();

Deno.test({
  name:
    "three processes and Redis: a send through A reaches C's stream via Redis; Redis killed loses nothing; restarted, fast delivery is back",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using dir = await tempKvDir();
    await using servers = await threeProcesses(dir.path("shared"), redis.url);
    const [a, b, c] = servers;
    await busEverywhere(servers, "ok");
    const alice = new TestClient(a.url);
    const bobOnA = new TestClient(a.url);
    await alice.register(randomUsername("Alice"));
    const bobName = await bobOnA.register(randomUsername("Bob"));
    const aliceOnB = sameUserOn(alice, b.url);
    const stream = sseReader(
      await sameUserOn(bobOnA, c.url).fetch("/api/events/stream"),
    );
    assert.equal((await stream.next())?.comment, "connected");
    const send = async (via: TestClient, text: string) => {
      const res = await via.postJson(messagesPath(bobName), { text });
      assert.equal(res.status, 201);
      return (await res.json()).message.id as string;
    };
    /** Reads the stream until every id in `ids` came, in order with nothing else. */
    const expect = async (ids: string[], what: string) => {
      const got: string[] = [];
      await within(
        (async () => {
          while (got.length < ids.length) {
            const block = await stream.nextEvent();
            if (block?.event === "message") {
              got.push(JSON.parse(block.data!).message.id);
            }
          }
        })(),
        10_000,
        what,
      );
      assert.deepEqual(got, ids, what);
    };

    await expect([await send(alice, "via Redis")], "delivery through Redis");

    // Redis dies between sends: every acknowledged message still reaches C.
    const acked: string[] = [];
    for (let i = 0; i < 8; i++) {
      if (i === 3) await redis.kill();
      acked.push(await send(i % 2 ? aliceOnB : alice, `during ${i}`));
    }
    await busEverywhere(servers, "down");
    const health = await fetch(`${a.url}/healthz`);
    assert.equal(
      health.status,
      200,
      "KV answers: still healthy enough to serve",
    );
    assert.deepEqual(await health.json(), {
      status: "degraded",
      kv: "ok",
      bus: "down",
    });
    acked.push(await send(aliceOnB, "while down"));
    await expect(acked, "every acknowledged message, Redis or not");

    // Back: the processes reconnect and re-subscribe by themselves.
    await redis.restart();
    await busEverywhere(servers, "ok");
    await expect(
      [await send(aliceOnB, "via Redis again")],
      "delivery through Redis again",
    );
    await stream.cancel();
  },
});

Deno.test({
  name:
    "three processes and Redis share one send limit: once it is spent, every process refuses",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using dir = await tempKvDir();
    await using servers = await threeProcesses(dir.path("shared"), redis.url);
    await busEverywhere(servers, "ok");
    const alice = new TestClient(servers[0].url);
    await alice.register(randomUsername("Alice"));
    const bobName = await new TestClient(servers[0].url).register(
      randomUsername("Bob"),
    );
    const via = servers.map((s) => sameUserOn(alice, s.url));
    let accepted = 0;
    const refusedBy = new Set<number>();
    const retryAfter: string[] = [];
    // Bursts of ten sends through each process at once until all three have refused one.
    for (let burst = 0; burst < 100 && refusedBy.size < 3; burst++) {
      await Promise.all(
        via.flatMap((client, p) =>
          Array.from({ length: 10 }, async () => {
            const res = await client.postJson(messagesPath(bobName), {
              text: "x",
            });
            if (res.status === 201) accepted++;
            else if (res.status === 429) {
              refusedBy.add(p);
              retryAfter.push(res.headers.get("retry-after") ?? "");
            } else assert.fail(`HTTP ${res.status}`);
          })
        ),
      );
    }
    assert.equal(refusedBy.size, 3, "every process refused");
    assert.ok(retryAfter.every((s) => Number(s) >= 1), "with Retry-After");
    // The limit is 300 at once plus 20/s. Counted per process, the three would have let
    // through at least 900 before all refused; shared, it is 300 plus the refill while
    // the bursts ran (the bound leaves 15 s of refill for a slow machine).
    assert.ok(accepted >= 300, `${accepted} accepted`);
    assert.ok(accepted < 600, `${accepted} accepted: the limit is not shared`);
  },
});

Deno.test({
  name:
    "Redis down at start: the process starts, logs it once, serves as a single process and reports the bus down",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await redis.kill();
    await using dir = await tempKvDir();
    await using server = await spawnServer({
      kvPath: dir.path("alone"),
      env: { NATTER_REDIS_URL: redis.url },
    });
    const alice = new TestClient(server.url);
    await alice.register(randomUsername("Alice"));
    const bob = new TestClient(server.url);
    const bobName = await bob.register(randomUsername("Bob"));
    const res = await alice.postJson(messagesPath(bobName), { text: "hi" });
    assert.equal(res.status, 201);
    // Presence and typing answer from this process's memory, without an error.
    assert.equal((await bob.fetch("/users")).status, 200);
    const presence = await alice.fetch(`/api/users/${bobName}/presence`);
    assert.equal(presence.status, 200);
    assert.equal((await presence.json()).online, true, "seen here");
    const typing = await alice.fetch(`/api/conversations/${bobName}/typing`, {
      method: "POST",
    });
    assert.equal(typing.status, 204);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).bus, "down");
    const lines = server.output().split("\n").filter((l) =>
      l.includes("Redis unavailable")
    );
    assert.equal(lines.length, 1, server.output());
  },
});

Deno.test({
  name:
    "three processes and Redis: a conversation long poll held by C wakes for a send through A",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using dir = await tempKvDir();
    await using servers = await threeProcesses(dir.path("shared"), redis.url);
    const [a, , c] = servers;
    await busEverywhere(servers, "ok");
    const alice = new TestClient(a.url);
    const bobOnA = new TestClient(a.url);
    const aliceName = await alice.register(randomUsername("Alice"));
    const bobName = await bobOnA.register(randomUsername("Bob"));
    const bob = sameUserOn(bobOnA, c.url);
    const { cursor } = await (await bob.fetch(messagesPath(aliceName))).json();
    // With Redis healthy nothing re-reads KV on a timer and no head is watched: a poll
    // that answers with the message before its 25 s wait ran out was woken through Redis.
    const poll = bob.fetch(
      `${messagesPath(aliceName)}?after=${cursor}&wait=25`,
    );
    const sent = await alice.postJson(messagesPath(bobName), {
      text: "across",
    });
    assert.equal(sent.status, 201);
    // The status is the sender's own business: the peer sees the message without it.
    const { message: { status: _status, ...message } } = await sent.json();
    const res = await within(poll, 10_000, "answer to the poll");
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).messages, [message]);
  },
});

Deno.test({
  name:
    "three processes and Redis: a group long poll held by C wakes for a group send through A",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using dir = await tempKvDir();
    await using servers = await threeProcesses(dir.path("shared"), redis.url);
    const [a, , c] = servers;
    await busEverywhere(servers, "ok");
    const alice = new TestClient(a.url);
    const bobOnA = new TestClient(a.url);
    await alice.register(randomUsername("Alice"));
    const bobName = await bobOnA.register(randomUsername("Bob"));
    const created = await alice.postJson("/api/groups", {
      name: "Across",
      members: [bobName],
    });
    assert.equal(created.status, 201);
    const group = (await created.json()).conversation;
    const messages = `/api/groups/${group.id}/messages`;
    const bob = sameUserOn(bobOnA, c.url);
    const { cursor } = await (await bob.fetch(messages)).json();
    // As for the direct chat: nothing but Redis can end this wait before its 25 s.
    const poll = bob.fetch(`${messages}?after=${cursor}&wait=25`);
    const sent = await alice.postJson(messages, { text: "to the group" });
    assert.equal(sent.status, 201);
    const { message } = await sent.json();
    const res = await within(poll, 10_000, "answer to the group poll");
    assert.equal(res.status, 200);
    assert.deepEqual(
      (await res.json()).messages.map((m: { id: string }) => m.id),
      [message.id],
    );
  },
});
