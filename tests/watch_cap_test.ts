import assert from "node:assert/strict";
import { conversationId, Db } from "../lib/db/db.ts";
import {
  createHeadWaiter,
  HeadWaiter,
  LOCAL_MAX_WATCHES,
  REMOTE_MAX_WATCHES,
} from "../lib/long_poll.ts";
import { headWaiterFor } from "../lib/long_poll.ts";
import { randomUsername, startTestServer } from "./helpers.ts";

Deno.test("past its watch cap, a HeadWaiter serves conversations by re-reading and wakes them all", async () => {
  const db = await Db.open(":memory:");
  const waiter = new HeadWaiter(db, { recheckMs: 20, maxWatches: 2 });
  try {
    const alice = await db.createUser({ username: randomUsername("alice") });
    const peers = [];
    for (let i = 0; i < 4; i++) {
      peers.push(await db.createUser({ username: randomUsername("peer") }));
    }
    const waits = peers.map((peer, i) => {
      const wait = waiter.wait(conversationId(alice.id, peer.id), 0, {
        timeoutMs: 20_000,
      });
      assert.equal(waiter.watches, Math.min(i + 1, 2), "never above the cap");
      return wait;
    });
    assert.equal(waiter.held, 4);
    for (const peer of peers) {
      await db.sendMessage({ from: peer, to: alice, text: "hello" });
    }
    assert.deepEqual(await Promise.all(waits), Array(4).fill("changed"));
    assert.ok(waiter.watches <= 2);
  } finally {
    waiter.close();
    db.close();
  }
});

Deno.test("the server caps kv.watch at 100 for a remote KV and 10,000 for a local one", async () => {
  const db = await Db.open(":memory:");
  try {
    assert.equal(REMOTE_MAX_WATCHES, 100);
    assert.equal(LOCAL_MAX_WATCHES, 10_000);
    const remote = createHeadWaiter(db, { remoteKv: true });
    assert.equal(remote.options.maxWatches, REMOTE_MAX_WATCHES);
    const local = createHeadWaiter(db, { remoteKv: false });
    assert.equal(local.options.maxWatches, LOCAL_MAX_WATCHES);
    local.close();
  } finally {
    db.close();
  }
});

Deno.test("a server on a local KV gets the local watch cap", async () => {
  await using server = await startTestServer();
  assert.equal(headWaiterFor(server.db).options.maxWatches, LOCAL_MAX_WATCHES);
});
