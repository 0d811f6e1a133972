import assert from "node:assert/strict";
import { Hono } from "hono";
import { Db } from "../lib/db/db.ts";
import { loadConfig } from "../fresh.config.ts";
import { checkHealth, healthHandler } from "../server/health.ts";
import { startServer } from "../server/serve.ts";
import { startTestServer, TestClient } from "./helpers.ts";

Deno.test("GET /healthz answers 200 with KV ok and no bus, uncached, without a session or cookies", async () => {
  await using server = await startTestServer({
    PUBLIC_URL: "https://chat.example.com",
  });
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("set-cookie"), null);
  assert.deepEqual(await res.json(), { status: "ok", kv: "ok", bus: "off" });
});

Deno.test("GET /healthz ignores a session cookie and answers the same", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  await client.register();
  const res = await client.fetch("/healthz");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("set-cookie"), null);
  assert.deepEqual(await res.json(), { status: "ok", kv: "ok", bus: "off" });
});

Deno.test("a bus reports itself in /healthz; a bus that is down degrades but does not fail", async () => {
  let busState: "ok" | "down" = "ok";
  const db = await Db.open(":memory:");
  const server = await startServer(
    loadConfig({ PORT: "0", LOG_REQUESTS: "0", DENO_KV_PATH: ":memory:" }),
    { db, quiet: true, busHealth: { health: () => busState } },
  );
  try {
    const up = await fetch(`${server.url}/healthz`);
    assert.deepEqual(await up.json(), { status: "ok", kv: "ok", bus: "ok" });
    busState = "down";
    const down = await fetch(`${server.url}/healthz`);
    assert.equal(down.status, 200);
    assert.deepEqual(await down.json(), {
      status: "degraded",
      kv: "ok",
      bus: "down",
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("/healthz answers 503 naming KV when KV cannot be read", async () => {
  const db = await Db.open(":memory:");
  db.close();
  const app = new Hono().get("/healthz", healthHandler(db, undefined));
  const res = await app.request("/healthz");
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.deepEqual(await res.json(), {
    status: "error",
    kv: "down",
    bus: "off",
  });
});

Deno.test("a KV read that does not answer in time counts as KV down", async () => {
  // Stands in for a remote KV that accepts the request and never answers.
  const silent = { ping: () => new Promise<void>(() => {}) } as unknown as Db;
  assert.deepEqual(await checkHealth(silent, undefined, 50), {
    status: "error",
    kv: "down",
    bus: "off",
  });
});
