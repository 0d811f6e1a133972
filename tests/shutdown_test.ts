import assert from "node:assert/strict";
import { spawnServer, tempKvDir } from "../bench/server_process.ts";
import { headWaiterFor } from "../lib/long_poll.ts";
import {
  messagesPath,
  randomUsername,
  startTestServer,
  TestClient,
} from "./helpers.ts";

const api = messagesPath;

/** Deno Deploy sends SIGINT, then kills the process 5 s later: it must be gone by then. */
const EVICTION_MS = 5_000;

/** The exit status if the process ends within `ms`, else "still running". */
async function exitWithin(
  status: Promise<Deno.CommandStatus>,
  ms: number,
): Promise<Deno.CommandStatus | "still running"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"still running">((resolve) => {
    timer = setTimeout(() => resolve("still running"), ms);
  });
  try {
    return await Promise.race([status, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function bobWaitingForAlice(url: string) {
  const alice = new TestClient(url);
  const bob = new TestClient(url);
  const aliceName = await alice.register(randomUsername("Alice"));
  await bob.register(randomUsername("Bob"));
  const { cursor } = await (await bob.fetch(api(aliceName))).json();
  const poll = bob.fetch(`${api(aliceName)}?after=${cursor}&wait=25`);
  return { poll, cursor };
}

Deno.test("shutdown answers held polls with no messages and the same cursor", async () => {
  await using server = await startTestServer();
  const { poll, cursor } = await bobWaitingForAlice(server.url);
  while (headWaiterFor(server.db).held === 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const stopped = server.shutdown();
  const res = await poll;
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await res.json(), { messages: [], cursor, older: null });
  await stopped;
  await assert.rejects(fetch(server.url));
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} makes the server answer held polls, close KV and exit 0`, async () => {
    await using dir = await tempKvDir();
    await using server = await spawnServer({ kvPath: dir.path("kv") });
    const { poll, cursor } = await bobWaitingForAlice(server.url);
    // Give the poll time to be held before the signal (no assertion depends on it).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = exitWithin(server.stop(signal), EVICTION_MS);
    const res = await poll;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { messages: [], cursor, older: null });
    const status = await exited;
    assert.notEqual(status, "still running", server.output());
    assert.equal(status !== "still running" && status.code, 0, server.output());
    assert.match(server.output(), /Shutting down/);
    // KV was closed cleanly: another process can open the file and use it at once.
    const kv = await Deno.openKv(dir.path("kv"));
    await kv.set(["probe"], 1);
    kv.close();
  });
}

Deno.test("a request that never finishes does not keep the process past 5 s after SIGINT", async () => {
  await using dir = await tempKvDir();
  await using server = await spawnServer({ kvPath: dir.path("kv") });
  // A form post whose body never arrives: the handler waits for it until the process ends.
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(server.url).port),
  });
  try {
    await conn.write(new TextEncoder().encode(
      "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/x-www-form-urlencoded\r\n" +
        "Content-Length: 1000\r\n\r\nusername=stuck",
    ));
    // A round trip on another connection, so the stuck request has surely been read.
    await (await fetch(`${server.url}/healthz`)).body?.cancel();
    const status = await exitWithin(server.stop("SIGINT"), EVICTION_MS);
    assert.notEqual(status, "still running", server.output());
    // Cut by main.ts's grace period, and it says so.
    assert.equal(status !== "still running" && status.code, 1);
    assert.match(server.output(), /Shutdown took too long/);
  } finally {
    conn.close();
  }
});
