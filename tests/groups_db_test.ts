import assert from "node:assert/strict";
import { serialize } from "node:v8";
import { Db, keys } from "../lib/db/db.ts";
import { DomainError } from "../lib/errors.ts";
import { randomUsername } from "./helpers.ts";

async function withDb(fn: (db: Db) => Promise<void>) {
  const db = await Db.open(":memory:");
  try {
    await fn(db);
  } finally {
    db.close();
  }
}

async function users(db: Db, n: number) {
  return await Promise.all(
    Array.from(
      { length: n },
      () => db.createUser({ username: randomUsername() }),
    ),
  );
}

/** Every entry written by the commit with this versionstamp. */
async function writtenBy(db: Db, versionstamp: string) {
  const out: Deno.KvEntry<unknown>[] = [];
  for await (const e of db.kv.list({ prefix: [] })) {
    if (e.versionstamp === versionstamp) out.push(e);
  }
  return out;
}

Deno.test("a send to a 256-member group is one commit within KV's limits", () =>
  withDb(async (db) => {
    const [creator, ...others] = await users(db, 256);
    const group = await db.createGroup({
      creator,
      title: "Everyone",
      memberIds: others.map((u) => u.id),
    });
    assert.equal(group.members.length, 256);
    const { message } = await db.sendGroupMessage({
      groupId: group.id,
      fromId: others[7].id,
      text: "x".repeat(4000),
      clientId: crypto.randomUUID(),
    });
    const stamp = (await db.kv.get(keys.message(group.id, message.seq)))
      .versionstamp!;
    const written = await writtenBy(db, stamp);
    const bytes = written.reduce(
      (sum, e) => sum + serialize(e.value).length + serialize(e.key).length,
      0,
    );
    // Rows, unread counters (not the sender's) and inbox keys per member, plus 5 more.
    assert.equal(written.length, 256 * 3 - 1 + 5);
    assert.ok(written.length <= 1000);
    assert.ok(bytes < 800 * 1024, `${bytes} bytes`);
    console.log(`256-member send: ${written.length} mutations, ${bytes} bytes`);
  }));

Deno.test("membership changes are system messages; outsiders cannot send; leaving promotes the longest-standing member", () =>
  withDb(async (db) => {
    const [alice, bob, carol, dave] = await users(db, 4);
    const g = await db.createGroup({
      creator: alice,
      title: "Trip",
      memberIds: [bob.id, carol.id],
    });
    await assert.rejects(
      () => db.sendGroupMessage({ groupId: g.id, fromId: dave.id, text: "hi" }),
      (e) => e instanceof DomainError && e.code === "group_not_found",
    );
    await assert.rejects(
      () => db.addGroupMember(g.id, bob.id, dave.id),
      (e) => e instanceof DomainError && e.code === "not_admin",
    );
    const added = await db.addGroupMember(g.id, alice.id, dave.id);
    assert.equal(added?.roster.at(-1)?.joinedSeq, 2);
    await db.renameGroup(g.id, alice.id, "Trip 2");
    await db.removeGroupMember(g.id, alice.id, alice.id);
    const after = (await db.getGroup(g.id))!;
    assert.equal(after.title, "Trip 2");
    assert.deepEqual(
      after.roster.map((m) => [m.userId, m.role]),
      [[bob.id, "admin"], [carol.id, "member"], [dave.id, "member"]],
    );
    const texts = (await db.listMessages(g.id, { limit: 10 })).map((m) => [
      m.system,
      m.text,
    ]);
    assert.deepEqual(texts, [
      [true, `${alice.username} created the group “Trip”`],
      [true, `${alice.username} added ${dave.username}`],
      [true, `${alice.username} renamed the group to “Trip 2”`],
      [true, `${alice.username} left; ${bob.username} is now an admin`],
    ]);
    assert.equal(
      (await db.kv.get(keys.userConversation(alice.id, g.id))).value,
      null,
    );
    assert.equal((await db.listMemberStates(dave.id)).get(g.id)?.unread, 3);
  }));

Deno.test("the last member leaving deletes the group with its messages", () =>
  withDb(async (db) => {
    const [alice, bob] = await users(db, 2);
    const g = await db.createGroup({
      creator: alice,
      title: "Two",
      memberIds: [bob.id],
    });
    await db.sendGroupMessage({ groupId: g.id, fromId: bob.id, text: "bye" });
    assert.notEqual(await db.removeGroupMember(g.id, alice.id, alice.id), null);
    assert.equal(await db.removeGroupMember(g.id, bob.id, bob.id), null);
    const left = [];
    for await (const e of db.kv.list({ prefix: keys.conversation(g.id) })) {
      left.push(e.key);
    }
    assert.deepEqual(left, []);
    assert.deepEqual(await db.listGroups(), []);
    assert.equal((await db.listMemberStates(bob.id)).size, 0);
  }));

Deno.test("a group row written before fromSeq existed still hides what was said before the member joined", () =>
  withDb(async (db) => {
    const [alice, bob, carol] = await users(db, 3);
    const group = await db.createGroup({
      creator: alice,
      title: "Trip",
      memberIds: [bob.id],
    });
    await db.sendGroupMessage({
      groupId: group.id,
      fromId: bob.id,
      text: "early",
    });
    await db.addGroupMember(group.id, alice.id, carol.id);
    const row = await db.kv.get<Record<string, unknown>>(
      keys.userConversation(carol.id, group.id),
    );
    assert.equal(row.value?.fromSeq, 3, "the member who joined at seq 3");
    // As the previous version wrote it: no fromSeq.
    const { fromSeq: _, ...old } = row.value!;
    await db.kv.set(keys.userConversation(carol.id, group.id), old);
    for (const view of ["old row", "new row"]) {
      if (view === "new row") {
        await db.sendGroupMessage({
          groupId: group.id,
          fromId: bob.id,
          text: "later",
        });
      }
      const batch = await db.listEventsAfter(
        carol.id,
        "00000000000000000000",
        100,
      );
      assert.deepEqual(
        batch!.events.map((e) => e.type === "message" ? e.message.seq : e.type),
        view === "old row" ? [3] : [3, 4],
        view,
      );
    }
  }));

Deno.test("the inbox of someone in more conversations than one KV read holds still carries every event once", () =>
  withDb(async (db) => {
    const [me, ...others] = await users(db, 502); // 1,002 entries: row + unread each
    for (const peer of others) {
      await db.sendMessage({ from: peer, to: me, text: `hi from ${peer.id}` });
    }
    const start = await db.getInboxStamp(me.id);
    for (const peer of others.slice(0, 5)) {
      await db.sendMessage({ from: peer, to: me, text: "again" });
    }
    const batch = await db.listEventsAfter(me.id, start, 100);
    assert.deepEqual(
      batch!.events.map((e) => e.type === "message" ? e.message.text : e.type),
      ["again", "again", "again", "again", "again"],
    );
    assert.equal(batch!.stamp, await db.getInboxStamp(me.id));
    const all = await db.listEventsAfter(me.id, "00000000000000000000", 1000);
    assert.equal(all!.events.length, 506);
  }));
