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
    const status = server.stop(signal);
    const res = await poll;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { messages: [], cursor, older: null });
    assert.equal((await status).code, 0, server.output());
    assert.match(server.output(), /Shutting down/);
    // KV was closed cleanly: another process can open the file and use it at once.
    const kv = await Deno.openKv(dir.path("kv"));
    await kv.set(["probe"], 1);
    kv.close();
  });
}
