import assert from "node:assert/strict";
import { chatTarget } from "../client/chat_target.ts";
import type { ConversationEntry, InboxEvent } from "../lib/inbox.ts";

const entry = (id: string, peer: string | null): ConversationEntry => ({
  id,
  kind: peer ? "direct" : "group",
  title: peer ?? "Trip",
  peer,
  lastMessage: null,
  unread: 0,
  updatedAt: "2026-01-01T00:00:00.000Z",
});
const message = {
  id: "m",
  from: "bob",
  to: "x",
  text: "hi",
  sentAt: "",
  attachments: [],
};

Deno.test("chatTarget() points a direct chat and a group at their own API and events", () => {
  const direct = chatTarget("Bob");
  assert.equal(direct.apiBase, "/api/conversations/Bob");
  assert.equal(direct.groupPath, undefined);
  const gid = crypto.randomUUID();
  const group = chatTarget("Trip", gid);
  assert.equal(group.apiBase, `/api/groups/${gid}`);
  assert.equal(group.groupPath, `/groups/${gid}`);
  assert.equal(group.storageId, gid);
  const events: InboxEvent[] = [
    { type: "message", conversation: entry("d", "bob"), message },
    { type: "message", conversation: entry(gid, null), message },
    { type: "conversation", conversation: entry(gid, null), message },
    { type: "read", conversation: entry(gid, null), upTo: "m" },
  ];
  assert.deepEqual(events.map((e) => direct.owns(e)), [
    true,
    false,
    false,
    false,
  ]);
  assert.deepEqual(events.map((e) => group.owns(e)), [
    false,
    true,
    true,
    false,
  ]);
});
