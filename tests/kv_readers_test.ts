import assert from "node:assert/strict";
import { Db } from "../lib/db/db.ts";
import { openDb } from "../lib/db/open.ts";
import { ConfigError, loadConfig } from "../fresh.config.ts";
import { randomUsername } from "./helpers.ts";

Deno.test("reads through the extra KV connections see every write that finished before them", async () => {
  const dir = await Deno.makeTempDir();
  const db = await Db.open(`${dir}/kv.sqlite3`, { readers: 3 });
  try {
    const alice = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    for (let i = 1; i <= 12; i++) {
      // Written through the main handle, read at once through the next reader.
      const { message } = await db.sendMessage({
        from: alice,
        to: bob,
        text: `m${i}`,
      });
      const stamp = await db.getInboxStamp(bob.id);
      const page = await db.listEventsAfter(
        bob.id,
        "00000000000000000000",
        100,
      );
      assert.equal(page!.stamp, stamp);
      assert.equal(page!.events.at(-1)?.type, "message");
      assert.equal(
        (page!.events.at(-1) as { message: { id: string } }).message.id,
        message.id,
      );
      assert.equal(page!.events.length, i);
    }
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KV_READERS: 8 by default, 0–32 accepted, anything else refused by name; none for :memory:", async () => {
  assert.equal(loadConfig({}).kvReaders, 8);
  assert.equal(loadConfig({ KV_READERS: "0" }).kvReaders, 0);
  assert.equal(loadConfig({ KV_READERS: "32" }).kvReaders, 32);
  for (const bad of ["33", "-1", "two", ""]) {
    assert.throws(
      () => loadConfig({ KV_READERS: bad }),
      (error: unknown) =>
        error instanceof ConfigError && /KV_READERS/.test(error.message),
      bad,
    );
  }
  // A :memory: database cannot be shared between connections: openDb opens none.
  const db = await openDb({ kvPath: ":memory:" }, { readers: 4 });
  try {
    const user = await db.createUser({ username: randomUsername() });
    assert.equal((await db.getUser(user.id))?.id, user.id);
  } finally {
    db.close();
  }
});
