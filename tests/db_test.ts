import assert from "node:assert/strict";
import { DomainError } from "../lib/errors.ts";
import { conversationId, Db, keys, SESSION_MAX_AGE_MS } from "../lib/db/db.ts";
import { randomUsername } from "./helpers.ts";

async function withDb(fn: (db: Db) => Promise<void>) {
  const db = await Db.open(":memory:");
  try {
    await fn(db);
  } finally {
    db.close();
  }
}

Deno.test("createUser() makes usernames unique regardless of case", () =>
  withDb(async (db) => {
    const user = await db.createUser({ username: "Alice" });
    assert.equal((await db.getUserByName("ALICE"))?.id, user.id);
    assert.equal((await db.getUserByName("alice"))?.username, "Alice");
    await assert.rejects(
      () => db.createUser({ username: "aLiCe" }),
      (e) =>
        e instanceof DomainError && e.kind === "conflict" &&
        e.code === "username_taken",
    );
  }));

Deno.test("createUser() lets exactly one of many concurrent registrations win a name", () =>
  withDb(async (db) => {
    const results = await Promise.allSettled(
      Array.from(
        { length: 20 },
        (_, i) => db.createUser({ username: i % 2 ? "Bob" : "bob" }),
      ),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.equal((await db.listUsers()).length, 1);
  }));

Deno.test("conversationId() is the same whoever asks", () => {
  assert.equal(conversationId("a", "b"), conversationId("b", "a"));
  assert.notEqual(conversationId("a", "b"), conversationId("a", "c"));
});

Deno.test("sendMessage() keeps a gap-free total order under concurrent senders", () =>
  withDb(async (db) => {
    const alice = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        db.sendMessage(
          i % 2
            ? { from: alice, to: bob, text: `a${i}` }
            : { from: bob, to: alice, text: `b${i}` },
        )),
    );
    const messages = await db.listMessages(conversationId(alice.id, bob.id), {
      limit: 100,
    });
    assert.deepEqual(
      messages.map((m) => m.seq),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    assert.equal(new Set(messages.map((m) => m.text)).size, 60);
    assert.equal(
      (await db.getConversationHead(conversationId(alice.id, bob.id)))?.seq,
      60,
    );
  }));

Deno.test("sendMessage() with a repeated clientId returns the stored message, once", () =>
  withDb(async (db) => {
    const alice = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    const clientId = crypto.randomUUID();
    const results = await Promise.all(
      Array.from(
        { length: 5 },
        () => db.sendMessage({ from: alice, to: bob, text: "hi", clientId }),
      ),
    );
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
    const cid = conversationId(alice.id, bob.id);
    assert.equal((await db.listMessages(cid, { limit: 10 })).length, 1);
  }));

Deno.test("listMessages() pages by seq: newest N without a cursor, exactly the later ones with it", () =>
  withDb(async (db) => {
    const alice = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    for (let i = 1; i <= 7; i++) {
      await db.sendMessage({ from: alice, to: bob, text: `m${i}` });
    }
    const cid = conversationId(alice.id, bob.id);
    const newest = await db.listMessages(cid, { limit: 3 });
    assert.deepEqual(newest.map((m) => m.text), ["m5", "m6", "m7"]);
    const after = await db.listMessages(cid, { afterSeq: 2, limit: 3 });
    assert.deepEqual(after.map((m) => m.text), ["m3", "m4", "m5"]);
    assert.deepEqual(await db.listMessages(cid, { afterSeq: 7, limit: 3 }), []);
  }));

Deno.test("listConversations() orders by latest message and counts unread until markRead()", () =>
  withDb(async (db) => {
    const me = await db.createUser({ username: randomUsername() });
    const p1 = await db.createUser({ username: randomUsername() });
    const p2 = await db.createUser({ username: randomUsername() });
    await db.sendMessage({
      from: p1,
      to: me,
      text: "first",
      now: new Date(1000),
    });
    await db.sendMessage({
      from: p2,
      to: me,
      text: "second",
      now: new Date(2000),
    });
    await db.sendMessage({
      from: p1,
      to: me,
      text: "third",
      now: new Date(3000),
    });
    let rows = await db.listConversations(me.id);
    assert.deepEqual(rows.map((r) => [r.peerId, r.preview, r.unread]), [
      [p1.id, "third", 2],
      [p2.id, "second", 1],
    ]);
    await db.markRead(me.id, conversationId(me.id, p1.id), 2);
    rows = await db.listConversations(me.id);
    assert.equal(rows[0].unread, 0);
    assert.equal(
      (await db.listConversations(p1.id))[0].unread,
      0,
      "senders have nothing unread",
    );
  }));

Deno.test("sessions expire after 30 days unused and slide forward when used", () =>
  withDb(async (db) => {
    const user = await db.createUser({ username: randomUsername() });
    const t0 = new Date("2026-01-01T00:00:00Z");
    await db.createSession("hash-a", user, t0);
    const day = 24 * 60 * 60 * 1000;
    const used = await db.validateSession(
      "hash-a",
      new Date(t0.getTime() + 20 * day),
    );
    assert.equal(used?.userId, user.id);
    // 20 + 25 days from creation, but only 25 since last use: still alive.
    assert.ok(
      await db.validateSession("hash-a", new Date(t0.getTime() + 45 * day)),
    );
    assert.equal(
      await db.validateSession(
        "hash-a",
        new Date(t0.getTime() + 45 * day + SESSION_MAX_AGE_MS + 1),
      ),
      null,
    );
    assert.equal(
      (await db.kv.get(keys.session("hash-a"))).value,
      null,
      "expired session is deleted",
    );
  }));

Deno.test("deleteUserSessions() ends every session of one user only", () =>
  withDb(async (db) => {
    const a = await db.createUser({ username: randomUsername() });
    const b = await db.createUser({ username: randomUsername() });
    await db.createSession("a1", a);
    await db.createSession("a2", a);
    await db.createSession("b1", b);
    assert.equal(await db.deleteUserSessions(a.id), 2);
    assert.equal(await db.validateSession("a1"), null);
    assert.equal(await db.validateSession("a2"), null);
    assert.ok(await db.validateSession("b1"));
  }));

Deno.test("sendMessage() refuses once either user is gone, so deletes leave no stray keys", () =>
  withDb(async (db) => {
    const alice = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    await db.sendMessage({ from: alice, to: bob, text: "before" });
    await db.kv.delete(keys.user(bob.id));
    await assert.rejects(
      () => db.sendMessage({ from: alice, to: bob, text: "after" }),
      (e) => e instanceof DomainError && e.kind === "not_found",
    );
    const cid = conversationId(alice.id, bob.id);
    assert.deepEqual(
      (await db.listMessages(cid, { limit: 10 })).map((m) => m.text),
      ["before"],
    );
  }));
