import assert from "node:assert/strict";
import { keys } from "../lib/db/db.ts";
import { openKv, runAdmin, tempDir } from "./admin_helpers.ts";

async function sample(path: string) {
  using db = await openKv(path);
  const [ann, bob, cy] = await Promise.all(
    ["ann", "bob", "cy"].map((username) => db.createUser({ username })),
  );
  const trip = await db.createGroup({
    creator: ann,
    title: "Trip",
    memberIds: [bob.id, cy.id],
    now: new Date("2025-01-02T03:04:00Z"),
  });
  const pair = await db.createGroup({
    creator: ann,
    title: "Pair",
    memberIds: [cy.id],
    now: new Date("2025-02-02T03:04:00Z"),
  });
  await db.sendGroupMessage({ groupId: trip.id, fromId: bob.id, text: "hi" });
  return { trip, pair };
}

Deno.test("group:list and group:show report groups, members and roles; stats counts groups", async () => {
  await using dir = await tempDir();
  const { trip, pair } = await sample(dir.kv());
  const list = await runAdmin(dir.kv(), ["group:list", "--json"]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), [
    {
      id: trip.id,
      title: "Trip",
      members: 3,
      admins: ["ann"],
      messages: 2,
      createdAt: "2025-01-02T03:04:00.000Z",
    },
    {
      id: pair.id,
      title: "Pair",
      members: 2,
      admins: ["ann"],
      messages: 1,
      createdAt: "2025-02-02T03:04:00.000Z",
    },
  ]);
  const table = await runAdmin(dir.kv(), ["group:list"]);
  assert.match(
    table.stdout,
    new RegExp(`^${trip.id} +Trip +3 +2 +2025-01-02`, "m"),
  );
  const show = await runAdmin(dir.kv(), ["group:show", trip.id]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^Trip \(/);
  assert.match(show.stdout, /^ann +admin +2025-01-02 03:04 UTC$/m);
  assert.match(show.stdout, /^cy +member /m);
  const missing = await runAdmin(dir.kv(), ["group:show", "nope"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such group/);
  const stats = await runAdmin(dir.kv(), ["stats", "--json"]);
  assert.deepEqual(JSON.parse(stats.stdout), {
    users: 3,
    conversations: 0,
    groups: 2,
    messages: 3,
    sessions: 0,
    attachmentBytes: 0,
    attachmentBytesByUser: {},
  });
});

Deno.test("group:remove takes a member out; user:delete leaves every group and deletes one left empty", async () => {
  await using dir = await tempDir();
  const { trip, pair } = await sample(dir.kv());
  const removed = await runAdmin(dir.kv(), [
    "group:remove",
    trip.id,
    "bob",
  ]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout, 'Removed "bob" from "Trip"\n');
  const again = await runAdmin(dir.kv(), [
    "group:remove",
    trip.id,
    "bob",
  ]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not a member/);
  const ann = await runAdmin(dir.kv(), ["user:delete", "ann", "--yes"]);
  assert.equal(ann.code, 0, ann.stderr);
  assert.match(ann.stdout, /left 2 groups/);
  const cy = await runAdmin(dir.kv(), ["user:delete", "cy", "--yes"]);
  assert.equal(cy.code, 0, cy.stderr);
  using db = await openKv(dir.kv());
  assert.deepEqual(await db.listGroups(), []);
  for (const gid of [trip.id, pair.id]) {
    const left = [];
    for await (const e of db.kv.list({ prefix: keys.conversation(gid) })) {
      left.push(e.key);
    }
    assert.deepEqual(left, [], "an empty group goes with its messages");
  }
  const bob = (await db.getUserByName("bob"))!;
  assert.equal((await db.listMemberStates(bob.id)).size, 0);
});
