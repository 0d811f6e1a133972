import assert from "node:assert/strict";
import {
  conversationId,
  type ConversationRecord,
  Db,
  keys,
  type Message,
} from "../lib/db/db.ts";
import {
  addMessageToMembers,
  MAX_CONVERSATION_MEMBERS,
} from "../lib/db/conversations.ts";
import { randomUsername } from "./helpers.ts";

async function withDb(fn: (db: Db) => Promise<void>) {
  const db = await Db.open(":memory:");
  try {
    await fn(db);
  } finally {
    db.close();
  }
}

Deno.test("the first message creates a direct conversation record with the deterministic id", () =>
  withDb(async (db) => {
    const ann = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    const cid = conversationId(ann.id, bob.id);
    assert.equal(await db.getConversation(cid), null);
    await db.sendMessage({ from: bob, to: ann, text: "hi", now: new Date(5) });
    await db.sendMessage({ from: ann, to: bob, text: "yo", now: new Date(9) });
    assert.deepEqual(await db.getConversation(cid), {
      id: cid,
      kind: "direct",
      members: [ann.id, bob.id].sort(),
      createdAt: new Date(5).toISOString(),
    });
    const messages = await db.listMessages(cid, { limit: 10 });
    assert.deepEqual(messages.map((m) => (m.seq)), [1, 2]);
  }));

Deno.test("each member's state lives under the member: row, read position and unread count", () =>
  withDb(async (db) => {
    const ann = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    const cid = conversationId(ann.id, bob.id);
    await db.sendMessage({ from: ann, to: bob, text: "one" });
    await db.sendMessage({ from: ann, to: bob, text: "two" });
    const [row, unread, read] = await db.kv.getMany<
      [{ lastSeq: number; peerId: string }, Deno.KvU64, number]
    >([
      keys.userConversation(bob.id, cid),
      keys.userConversationUnread(bob.id, cid),
      keys.userConversationRead(bob.id, cid),
    ]);
    assert.equal(row.value?.lastSeq, 2);
    assert.equal(row.value?.peerId, ann.id);
    assert.equal(unread.value?.value, 2n);
    assert.equal(read.value, null);
    assert.equal(
      (await db.kv.get(keys.userConversationUnread(ann.id, cid))).value,
      null,
      "a sender's own messages are never unread",
    );
  }));

Deno.test("markRead() moves the read position forward only and recomputes unread from the peer's messages", () =>
  withDb(async (db) => {
    const ann = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    const cid = conversationId(ann.id, bob.id);
    // seq 1..6: ann, bob, ann, ann, bob, ann
    for (const from of [ann, bob, ann, ann, bob, ann]) {
      await db.sendMessage({ from, to: from === ann ? bob : ann, text: "m" });
    }
    const unreadOf = async () => (await db.listConversations(bob.id))[0].unread;
    assert.equal(await unreadOf(), 4);
    await db.markRead(bob.id, cid, 3);
    assert.equal(await db.getReadPosition(bob.id, cid), 3);
    assert.equal(await unreadOf(), 2, "ann's seq 4 and 6 are after position 3");
    await db.markRead(bob.id, cid, 1);
    assert.equal(await db.getReadPosition(bob.id, cid), 3, "never moves back");
    assert.equal(await unreadOf(), 2);
    await db.markRead(bob.id, cid, 99);
    assert.equal(
      await db.getReadPosition(bob.id, cid),
      6,
      "capped at the head",
    );
    assert.equal(await unreadOf(), 0);
    await db.sendMessage({ from: ann, to: bob, text: "again" });
    assert.equal(await unreadOf(), 1);
  }));

Deno.test("markRead() racing sends never loses an unread message", () =>
  withDb(async (db) => {
    const ann = await db.createUser({ username: randomUsername() });
    const bob = await db.createUser({ username: randomUsername() });
    const cid = conversationId(ann.id, bob.id);
    await db.sendMessage({ from: ann, to: bob, text: "first" });
    await Promise.all([
      ...Array.from(
        { length: 10 },
        () => db.sendMessage({ from: ann, to: bob, text: "more" }),
      ),
      db.markRead(bob.id, cid, 1),
    ]);
    const position = await db.getReadPosition(bob.id, cid);
    assert.equal((await db.listConversations(bob.id))[0].unread, 11 - position);
  }));

Deno.test(`a message to a ${MAX_CONVERSATION_MEMBERS}-member group fits in one atomic commit`, () =>
  withDb(async (db) => {
    const members = Array.from(
      { length: MAX_CONVERSATION_MEMBERS },
      () => crypto.randomUUID(),
    ).sort();
    const cid = crypto.randomUUID();
    const record: ConversationRecord = {
      id: cid,
      kind: "group",
      members,
      createdAt: new Date().toISOString(),
    };
    await db.kv.set(keys.conversation(cid), record);
    const recordEntry = await db.kv.get(keys.conversation(cid));
    const head = await db.kv.get(keys.conversationHead(cid));
    // The longest message the API accepts, in 4-byte characters: the worst case for size.
    const message: Message = {
      id: crypto.randomUUID(),
      seq: 1,
      from: members[0],
      to: cid,
      text: "😀".repeat(4000),
      sentAt: new Date().toISOString(),
      clientId: crypto.randomUUID(),
    };
    const clientKey = keys.clientMessage(cid, members[0], message.clientId!);
    // The same checks a group send needs: head, record (membership), client id.
    const op = db.kv.atomic()
      .check(head, recordEntry, { key: clientKey, versionstamp: null })
      .set(keys.conversationHead(cid), {
        seq: 1,
        lastMessageAt: message.sentAt,
      })
      .set(keys.message(cid, 1), message)
      .set(clientKey, 1)
      .sum(keys.sentCount(members[0]), 1n);
    addMessageToMembers(op, record, message);
    assert.equal((await op.commit()).ok, true);
    const last = members.at(-1)!;
    assert.equal(
      (await db.kv.get<Deno.KvU64>(keys.userConversationUnread(last, cid)))
        .value?.value,
      1n,
    );
  }));
