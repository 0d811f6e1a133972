import assert from "node:assert/strict";
import { conversationId, type Db, keys } from "../lib/db/db.ts";
import { verifyPassword } from "../lib/passwords.ts";
import { dumpAll, openKv, runAdmin, tempDir } from "./admin_helpers.ts";

/** A few thousand messages in several conversations, with every kind of value KV holds here. */
async function fillSample(db: Db) {
  const ann = await db.createUser({ username: "Ann" });
  const bob = await db.createUser({ username: "bob" });
  const cy = await db.createUser({ username: "cy" });
  await db.createUserWithIdentity({
    username: "dee",
    identity: { provider: "github", subject: "42", login: "dee" },
  });
  await db.createSession("ann1", ann);
  const people = [ann, bob, cy];
  for (let i = 0; i < 3000; i++) {
    const from = people[i % 3];
    const to = people[(i + 1 + (i % 2)) % 3];
    await db.sendMessage({
      from,
      to,
      text: i % 97 ? `message ${i} ✓ "quoted" \\ <b>` : "line one\nline two",
      clientId: i % 5 ? undefined : crypto.randomUUID(),
    });
  }
  await db.markRead(bob.id, conversationId(bob.id, ann.id), 3000);
  const group = await db.createGroup({
    creator: ann,
    title: "Trip ✓ “quoted”",
    memberIds: [bob.id, cy.id],
  });
  for (let i = 0; i < 30; i++) {
    await db.sendGroupMessage({
      groupId: group.id,
      fromId: people[i % 3].id,
      text: `group message ${i}`,
      clientId: i % 4 ? undefined : crypto.randomUUID(),
    });
  }
  await db.removeGroupMember(group.id, ann.id, cy.id);
  await db.markRead(bob.id, group.id, 20);
  return { ann, bob, cy, group };
}

Deno.test("export, import into an empty KV and export again give the same bytes", async () => {
  await using dir = await tempDir();
  const { ann, bob, group } = await (async () => {
    using source = await openKv(dir.kv("source"));
    return await fillSample(source);
  })();

  const first = await runAdmin(dir.kv("source"), ["export"]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, "");
  const lines = first.stdout.trimEnd().split("\n");
  assert.equal(lines[0], '{"format":"natter-export","version":1}');
  assert.match(lines.at(-1)!, /^\{"end":true,"entries":\d+\}$/);
  // Sessions are not part of a backup.
  assert.ok(!first.stdout.includes('["sessions"'));
  assert.ok(!first.stdout.includes('["user_sessions"'));
  assert.match(first.stdout, /"u64":"\d+"/);

  const imported = await runAdmin(dir.kv("copy"), ["import"], first.stdout);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(imported.stdout, `Imported ${lines.length - 2} entries\n`);

  const output = `${dir.path}/second.jsonl`;
  const second = await runAdmin(dir.kv("copy"), ["export", "--output", output]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(
    second.stdout,
    `Exported ${lines.length - 2} entries to ${output}\n`,
  );
  assert.deepEqual(
    await Deno.readFile(output),
    new TextEncoder().encode(first.stdout),
  );
  await assert.rejects(Deno.stat(`${output}.partial`));

  using copy = await openKv(dir.kv("copy"));
  const cid = conversationId(ann.id, bob.id);
  const messages = await copy.listMessages(cid, { afterSeq: 0, limit: 5000 });
  assert.equal(messages.length, 1000);
  assert.deepEqual(messages.map((m) => m.seq), messages.map((_, i) => i + 1));
  assert.equal((await copy.getUserByName("ANN"))?.id, ann.id);
  assert.equal(
    (await copy.kv.get<Deno.KvU64>(keys.sentCount(ann.id))).value?.value,
    1010n,
    "1000 direct and 10 group messages",
  );
  assert.ok(await copy.getUserIdByIdentity("github", "42"));
  assert.equal(await copy.validateSession("ann1"), null);
  const copied = await copy.getGroup(group.id);
  assert.equal(copied?.title, "Trip ✓ “quoted”");
  assert.equal(copied?.members.length, 2);
  assert.deepEqual((await copy.listGroups()).map((g) => g.id), [group.id]);
  assert.equal(
    (await copy.listMessages(group.id, { limit: 100 })).length,
    32,
    "creation, 30 messages, the removal",
  );
  assert.equal((await copy.listMemberStates(bob.id)).get(group.id)?.unread, 8);
});

Deno.test("import refuses a non-empty KV unless --merge, and reports bad or cut-off input", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });
  const bob = await db.createUser({ username: "bob" });
  await db.sendMessage({ from: ann, to: bob, text: "hi" });
  const exported = await runAdmin(dir.kv(), ["export"]);
  const file = `${dir.path}/backup.jsonl`;
  await Deno.writeTextFile(file, exported.stdout);

  const refused = await runAdmin(dir.kv(), ["import", "--input", file]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    "Cannot import: the database is not empty (use --merge to write into it)\n",
  );

  await db.kv.delete(keys.message(conversationId(ann.id, bob.id), 1));
  const merged = await runAdmin(dir.kv(), [
    "import",
    "--input",
    file,
    "--merge",
  ]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(
    (await db.listMessages(conversationId(ann.id, bob.id), { limit: 10 }))[0]
      ?.text,
    "hi",
  );

  const lines = exported.stdout.trimEnd().split("\n");
  const bad: Array<[string, string]> = [
    ["", "Cannot import: the input is empty\n"],
    ["hello\n", "Cannot import: line 1 is not the header of a Natter export\n"],
    [
      `${lines[0]}\n${lines[1]}\n{"key":["x"],\n`,
      "Cannot import: line 3: not valid JSON (1 entry written before it)\n",
    ],
    [
      `${lines[0]}\n{"key":["x"],"value":1,"u64":"2"}\n`,
      "Cannot import: line 2: expected one value field (0 entries written before it)\n",
    ],
    [
      lines.slice(0, 3).join("\n") + "\n",
      "Cannot import: the input stops without its end line (cut off?); 2 entries written\n",
    ],
  ];
  for (const [input, stderr] of bad) {
    await using target = await tempDir();
    const result = await runAdmin(target.kv(), ["import"], input);
    assert.equal(result.code, 1, input);
    assert.equal(result.stderr, stderr);
  }
  const missing = await runAdmin(dir.kv(), [
    "import",
    "--merge",
    "--input",
    `${dir.path}/nope.jsonl`,
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Cannot import: cannot open .*nope\.jsonl: /);
});

Deno.test("seed adds demo users who talk only among themselves and prints their password", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });
  const bob = await db.createUser({ username: "bob" });
  await db.sendMessage({ from: ann, to: bob, text: "ours" });
  const before = await dumpAll(db);

  const seeded = await runAdmin(dir.kv(), [
    "seed",
    "--users",
    "4",
    "--messages",
    "50",
  ]);
  assert.equal(seeded.code, 0, seeded.stderr);
  const [summary, names, passwordLine] = seeded.stdout.trimEnd().split("\n");
  assert.equal(
    summary,
    "Created 4 demo users and 50 messages in 6 conversations:",
  );
  const demoNames = names.split(" ");
  assert.equal(demoNames.length, 4);
  for (const name of demoNames) assert.match(name, /^demo_[0-9a-f]{8}$/);
  const password = passwordLine.replace(/^Demo password: /, "");

  // Existing users' keys are exactly as they were.
  for (const { key, value } of before) {
    assert.deepEqual((await db.kv.get(key)).value, value);
  }
  assert.deepEqual(
    (await db.listConversations(ann.id)).map((c) => c.peerId),
    [bob.id],
  );
  const demo = await Promise.all(demoNames.map((n) => db.getUserByName(n)));
  const demoIds = new Set(demo.map((u) => u!.id));
  let total = 0;
  for (const user of demo) {
    for (const row of await db.listConversations(user!.id)) {
      assert.ok(demoIds.has(row.peerId));
      total += row.lastSeq;
    }
  }
  assert.equal(total, 100); // each message is in two members' rows
  assert.ok(await verifyPassword(password, demo[0]!.password!));
});
