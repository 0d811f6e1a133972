import assert from "node:assert/strict";
import { loadConfig } from "../fresh.config.ts";
import { Db } from "../lib/db/db.ts";
import { startServer } from "../server/serve.ts";
import { messagesPath, registerPair } from "./helpers.ts";

/** Self-hosted denokv refuses an atomic operation with more than this many checks. */
const DENOKV_MAX_CHECKS = 10;

interface Commit {
  checks: number;
  /** True when the operation writes a message (a send). */
  send: boolean;
}

/**
 * Wraps a real KV so every atomic operation records how many checks it committed. The
 * app's own code runs unchanged on top: only `atomic()` is observed.
 */
function countingKv(kv: Deno.Kv, commits: Commit[]): Deno.Kv {
  const observe = (op: Deno.AtomicOperation): Deno.AtomicOperation => {
    const commit: Commit = { checks: 0, send: false };
    const proxy: Deno.AtomicOperation = new Proxy(op, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (prop === "check") commit.checks += args.length;
          if (prop === "set") {
            const key = args[0] as Deno.KvKey;
            if (key[0] === "conversations" && key[2] === "messages") {
              commit.send = true;
            }
          }
          if (prop === "commit") commits.push(commit);
          const result = value.apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  };
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "atomic") return () => observe(target.atomic());
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

Deno.test("each send's atomic commit uses at most 10 checks, denokv's limit", async () => {
  const commits: Commit[] = [];
  const kv = await Deno.openKv(":memory:");
  const server = await startServer(
    loadConfig({ PORT: "0", LOG_REQUESTS: "0", DENO_KV_PATH: ":memory:" }),
    { db: new Db(countingKv(kv, commits)), quiet: true },
  );
  try {
    const { alice, bob, aliceName, bobName } = await registerPair(server.url);
    const clientId = crypto.randomUUID();
    for (
      const [client, peer, body] of [
        [alice, bobName, { text: "plain" }],
        [alice, bobName, { text: "with id", clientId }],
        [alice, bobName, { text: "with id", clientId }],
        [bob, aliceName, { text: "reply" }],
      ] as const
    ) {
      const res = await client.postJson(messagesPath(peer), body);
      assert.ok(res.status === 201 || res.status === 200, `${res.status}`);
    }
    const sends = commits.filter((c) => c.send);
    assert.equal(sends.length, 3, "the repeated clientId committed nothing");
    for (const commit of sends) {
      assert.ok(commit.checks <= DENOKV_MAX_CHECKS, `${commit.checks} checks`);
    }
    // Head, both users, and the unused clientId: four, as README says.
    assert.equal(Math.max(...sends.map((c) => c.checks)), 4);
    // Registration and sign-in commits stay within the limit too.
    for (const commit of commits) {
      assert.ok(commit.checks <= DENOKV_MAX_CHECKS, `${commit.checks} checks`);
    }
  } finally {
    await server.shutdown();
  }
});
