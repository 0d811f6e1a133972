import assert from "node:assert/strict";
import type { User } from "../lib/db/db.ts";
import { createUserCache } from "../server/user_cache.ts";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

const user = (username: string): User => ({
  id: crypto.randomUUID(),
  username,
  createdAt: new Date(0).toISOString(),
});

Deno.test("createUserCache() finds users by name in any case until they expire", async () => {
  const cache = createUserCache({ ttlMs: 30, maxEntries: 10 });
  const alice = user("Alice");
  cache.set(alice);
  assert.equal(cache.get("ALICE"), alice);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(cache.get("alice"), undefined);
});

Deno.test("createUserCache() forgets the oldest entry beyond its size", () => {
  const cache = createUserCache({ ttlMs: 60_000, maxEntries: 2 });
  const [a, b, c] = [user("a1"), user("b1"), user("c1")];
  cache.set(a);
  cache.set(b);
  cache.set(c);
  assert.equal(cache.get("a1"), undefined);
  assert.equal(cache.get("b1"), b);
  assert.equal(cache.get("c1"), c);
});

Deno.test("a chat partner deleted while cached receives no message: the send's commit checks", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const first = await alice.postJson(messagesPath(bobName), { text: "before" });
  assert.equal(first.status, 201);
  const bob = await server.db.getUserByName(bobName);
  await server.db.deleteUserCascade(bob!.id);
  const after = await alice.postJson(messagesPath(bobName), { text: "after" });
  assert.equal(after.status, 404);
  assert.equal((await after.json()).error.code, "user_not_found");
  const keysLeft: string[] = [];
  for await (const entry of server.db.kv.list({ prefix: [] })) {
    const text = JSON.stringify(
      [entry.key, entry.value],
      (_, v) => typeof v === "bigint" ? String(v) : v,
    );
    if (text.includes(bob!.id)) keysLeft.push(JSON.stringify(entry.key));
  }
  assert.deepEqual(keysLeft, [], "nothing of the deleted user is left");
});
