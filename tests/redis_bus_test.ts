/**
 * RedisBus and the Redis rate-limit buckets against a real redis-server: two buses in one
 * test stand for two processes (tests/redis_multiprocess_test.ts runs real processes).
 */
import assert from "node:assert/strict";
import type { BusSignal } from "../lib/bus.ts";
import { RedisBus } from "../lib/redis_bus.ts";
import { skipRedisTests, startRedis } from "../bench/redis_process.ts";
import { createRateLimiter } from "../server/rate_limit.ts";
import { redisBuckets } from "../server/redis_buckets.ts";
import { waitFor } from "./wait_for.ts";

const ignore = skipRedisTests();

function quietLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (line: string) => void lines.push(line),
    warn: (line: string) => void lines.push(line),
  };
}

async function bus(url: string, log = quietLog()) {
  const b = new RedisBus(url, log);
  await waitFor(() => b.health() === "ok", "the bus to connect");
  return Object.assign(b, { [Symbol.asyncDispose]: () => b.close() });
}

Deno.test({
  name:
    "a signal of any kind published on one bus reaches the user's subscriber on another, once",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using a = await bus(redis.url);
    await using c = await bus(redis.url);
    const heard: BusSignal[] = [];
    const stop = c.subscribe("u1", (signal) => heard.push(signal));
    // The confirmed subscription itself wakes the subscriber once (an inbox hint).
    await waitFor(() => heard.length === 1, "the subscription to be confirmed");
    const typing: BusSignal = {
      kind: "typing",
      conversationId: "c1",
      from: "u2",
    };
    a.publish(["u1", "u9"], typing);
    a.publish(["u1"], { kind: "presence", userId: "u2" });
    a.publishAll();
    await waitFor(() => heard.length === 4, "three signals");
    assert.deepEqual(heard.slice(1), [
      typing,
      { kind: "presence", userId: "u2" },
      // publishAll names nobody: a broad hint, checked against the inbox key first.
      { kind: "inbox", broad: true },
    ]);
    // A bus's own subscribers are told directly, not a second time through Redis.
    const own: BusSignal[] = [];
    const stopOwn = a.subscribe("u5", (signal) => own.push(signal));
    await waitFor(() => own.length === 1, "the own subscription");
    a.publish(["u5"]);
    c.publish(["u1"]); // a marker: once c's subscriber has it, a's echo would have come
    await waitFor(() => heard.length === 5, "the marker");
    assert.equal(own.length, 2);
    stop();
    stopOwn();
  },
});

Deno.test({
  name:
    "presence: a request makes a user online everywhere, a hold keeps them online until released, lastSeen stays",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using a = await bus(redis.url);
    await using c = await bus(redis.url);
    const before = Date.now();
    assert.deepEqual(
      await c.presence(["nobody"]),
      new Map([["nobody", { online: false, lastSeen: null }]]),
    );
    a.touch("toucher");
    await waitFor(
      async () => (await c.presence(["toucher"])).get("toucher")!.online,
      "a touch to show on the other bus",
    );
    const release = a.hold("holder");
    await waitFor(
      async () => (await c.presence(["holder"])).get("holder")!.online,
      "a hold to show on the other bus",
    );
    release();
    await waitFor(
      async () => !(await c.presence(["holder"])).get("holder")!.online,
      "a release to show on the other bus",
    );
    const seen = (await c.presence(["holder"])).get("holder")!;
    assert.ok(seen.lastSeen !== null && seen.lastSeen >= before);
  },
});

Deno.test({
  name:
    "Redis down at start: the bus delivers locally, reports down, logs once, then connects and re-subscribes",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await redis.kill();
    const log = quietLog();
    const a = new RedisBus(redis.url, log);
    const c = new RedisBus(redis.url, quietLog());
    try {
      const heard: BusSignal[] = [];
      c.subscribe("u1", (signal) => heard.push(signal));
      c.publish(["u1"]);
      assert.equal(heard.length, 1, "local delivery without Redis");
      assert.equal(a.health(), "down");
      // Several reconnect attempts fail, one line says so.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(log.lines.length, 1, log.lines.join("\n"));
      await redis.restart();
      await waitFor(() => a.health() === "ok" && c.health() === "ok", "up");
      // Re-subscribing wakes the local subscriber once, then signals cross again.
      await waitFor(() => heard.length >= 2, "the wake after re-subscribing");
      const count = heard.length;
      a.publish(["u1"], { kind: "presence", userId: "u3" });
      await waitFor(() => heard.length === count + 1, "a signal across");
      assert.equal(log.lines.at(-1), "Redis is back");
    } finally {
      await a.close();
      await c.close();
    }
  },
});

Deno.test({
  name:
    "a limit counted in Redis holds across limiters: the N+1-th take anywhere is refused",
  ignore,
  async fn() {
    await using redis = await startRedis();
    await using a = await bus(redis.url);
    await using c = await bus(redis.url);
    const rule = { name: "test", capacity: 3, refillPerSecond: 1 / 3600 };
    const one = createRateLimiter(rule, redisBuckets(a.client));
    const two = createRateLimiter(rule, redisBuckets(c.client));
    assert.deepEqual(
      [
        await one.take("k"),
        await two.take("k"),
        await one.take("k"),
        await two.take("k"),
      ],
      [true, true, true, false],
    );
    assert.equal(await one.limited("k"), true);
    assert.ok(await one.retryAfter("k") > 1000);
    await two.refund("k");
    assert.equal(await one.take("k"), true);
    assert.equal(await one.take("other"), true, "keys are separate");
    // Redis gone: each limiter counts in its own memory rather than refusing everyone.
    await redis.kill();
    await waitFor(() => a.health() === "down", "the bus to notice");
    assert.equal(await one.take("k"), true);
  },
});
