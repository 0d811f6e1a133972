import assert from "node:assert/strict";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";

Deno.test("group sends count against the sender's send limit: a burst of 300 passes, then 429 with Retry-After", async () => {
  await using server = await startTestServer();
  const alice = new TestClient(server.url);
  const bob = new TestClient(server.url);
  await alice.register(randomUsername("gl"));
  const bobName = await bob.register(randomUsername("gl"));
  const created = await alice.postJson("/api/groups", {
    name: "Limits",
    members: [bobName],
  });
  assert.equal(created.status, 201);
  const { conversation } = await created.json();
  // The bucket refills at 20/s, so on a slow machine a few more than 300 get through
  // before the first 429: what must hold is that 300 at once do, and that it then bites.
  const statuses: number[] = [];
  for (let i = 0; i < 2000 && !statuses.includes(429); i++) {
    const res = await alice.postJson(
      `/api/groups/${conversation.id}/messages`,
      { text: `m${i}` },
    );
    statuses.push(res.status);
    if (res.status === 429) {
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
      assert.equal((await res.json()).error.code, "rate_limited");
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses.slice(0, 300), Array(300).fill(201));
  assert.equal(statuses.at(-1), 429);
});
