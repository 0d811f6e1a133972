import assert from "node:assert/strict";
import { keys } from "../lib/db/db.ts";
import { verifyPassword } from "../lib/passwords.ts";
import { COMMANDS } from "../tasks/admin.ts";
import { dumpAll, openKv, runAdmin, tempDir } from "./admin_helpers.ts";
import { TEST_PASSWORD } from "./helpers.ts";

Deno.test("admin --help lists every command, and each command's --help shows its usage", async () => {
  await using dir = await tempDir();
  const overview = await runAdmin(dir.kv(), ["--help"]);
  assert.equal(overview.code, 0);
  for (const command of COMMANDS) {
    assert.match(overview.stdout, new RegExp(`^  ${command.name} `, "m"));
  }
  const helps = await Promise.all(
    COMMANDS.map((command) => runAdmin(dir.kv(), [command.name, "--help"])),
  );
  helps.forEach((help, i) => {
    assert.equal(help.code, 0, COMMANDS[i].name);
    assert.match(
      help.stdout,
      new RegExp(`^Usage: deno task admin ${COMMANDS[i].name}`),
    );
    assert.match(help.stdout, /Example:\n {2}.*deno task admin /);
  });
  // --help never opens the database.
  await assert.rejects(Deno.stat(dir.kv()));
});

Deno.test("admin exits 2 and changes nothing on an unknown command, an unknown option or a missing argument", async () => {
  await using dir = await tempDir();
  const cases: Array<[string[], RegExp]> = [
    [[], /^Usage: deno task admin <command>/],
    [["users:list"], /^Unknown command "users:list"/],
    [["user:delete", "ann", "--yse"], /^Unknown option --yse \(see: /],
    [["user:delete"], /^Missing argument <username>/],
    [["user:create", "ann", "bob"], /^Unexpected argument "bob"/],
    [["stats", "--json=1"], /^Option --json takes no value/],
    [["export", "--output"], /^Option --output needs a value/],
    [["seed", "--users", "two"], /^Option --users must be a whole number/],
    [["seed", "--users", "1", "--messages", "5"], /at least two users/],
  ];
  const results = await Promise.all(
    cases.map(([args]) => runAdmin(dir.kv(), args)),
  );
  results.forEach((result, i) => {
    assert.equal(result.code, 2, cases[i][0].join(" "));
    assert.match(result.stderr, cases[i][1]);
    assert.equal(result.stdout, "");
  });
  await assert.rejects(Deno.stat(dir.kv()));
});

Deno.test("user:create takes the password from stdin with registration's rules", async () => {
  await using dir = await tempDir();
  const created = await runAdmin(
    dir.kv(),
    ["user:create", "Alice"],
    `${TEST_PASSWORD}\nignored\n`,
  );
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, 'Created user "Alice"\n');

  const failures: Array<[string[], string, string]> = [
    [
      ["user:create", "alice"],
      TEST_PASSWORD,
      'Cannot create user "alice": the name is already taken\n',
    ],
    [
      ["user:create", "a!"],
      TEST_PASSWORD,
      'Cannot create user "a!": Username must be at least 3 characters\n',
    ],
    [
      ["user:create", "bob"],
      "short\n",
      'Cannot create user "bob": Password must be at least 8 characters\n',
    ],
    [
      ["user:create", "bob"],
      "",
      'Cannot create user "bob": no password on stdin\n',
    ],
  ];
  for (const [args, stdin, stderr] of failures) {
    const result = await runAdmin(dir.kv(), args, stdin);
    assert.equal(result.code, 1, args.join(" "));
    assert.equal(result.stderr, stderr);
  }

  using db = await openKv(dir.kv());
  const users = await db.listUsers();
  assert.deepEqual(users.map((u) => u.username), ["Alice"]);
  assert.ok(await verifyPassword(TEST_PASSWORD, users[0].password!));
});

Deno.test("user:passwd sets a new password and ends the user's sessions", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });
  await db.createSession("s1", ann);
  await db.createSession("s2", ann);

  const changed = await runAdmin(
    dir.kv(),
    ["user:passwd", "ANN"],
    "new password 1\n",
  );
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal(
    changed.stdout,
    'Changed the password of "ann" and ended 2 sessions; no providers linked\n',
  );
  assert.ok(
    await verifyPassword(
      "new password 1",
      (await db.getUser(ann.id))!.password!,
    ),
  );
  assert.equal(await db.validateSession("s1"), null);
  assert.equal(await db.validateSession("s2"), null);

  const unknown = await runAdmin(
    dir.kv(),
    ["user:passwd", "nobody"],
    "new password 1\n",
  );
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    'Cannot change the password of "nobody": no such user\n',
  );
});

Deno.test("sessions:revoke logs one user out everywhere and leaves others signed in", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });
  const bob = await db.createUser({ username: "bob" });
  await db.createSession("ann1", ann);
  await db.createSession("ann2", ann);
  await db.createSession("bob1", bob);

  const revoked = await runAdmin(dir.kv(), ["sessions:revoke", "ann"]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout, 'Ended 2 sessions of "ann"\n');
  assert.equal(await db.validateSession("ann1"), null);
  assert.equal(await db.validateSession("ann2"), null);
  assert.equal((await db.validateSession("bob1"))?.userId, bob.id);

  const unknown = await runAdmin(dir.kv(), ["sessions:revoke", "nobody"]);
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    'Cannot revoke the sessions of "nobody": no such user\n',
  );
});

Deno.test("user:list and stats report accounts, activity and sizes as a table or JSON", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const empty = await runAdmin(dir.kv(), ["user:list"]);
  assert.equal(empty.stdout, "No users\n");

  const ann = await db.createUser({
    username: "ann",
    now: new Date("2025-01-02T03:04:05Z"),
  });
  const bob = await db.createUser({ username: "Bob" });
  const cy = await db.createUser({ username: "cy" });
  const lastActive = new Date(Date.now() - 24 * 3600 * 1000);
  await db.createSession("ann1", ann, new Date(Date.now() - 72 * 3600 * 1000));
  await db.createSession("ann2", ann, lastActive);
  await db.deleteSession("ann2"); // last activity outlives logout
  for (let i = 0; i < 3; i++) {
    await db.sendMessage({ from: ann, to: bob, text: `hi ${i}` });
  }
  await db.sendMessage({ from: bob, to: ann, text: "hello" });
  await db.sendMessage({ from: cy, to: bob, text: "yo" });
  await db.createSession(
    "old",
    cy,
    new Date(Date.now() - 40 * 24 * 3600 * 1000),
  );

  const listed = await runAdmin(dir.kv(), ["user:list", "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout);
  assert.deepEqual(rows.map((r: { username: string }) => r.username), [
    "ann",
    "Bob",
    "cy",
  ]);
  assert.deepEqual(rows[0], {
    id: ann.id,
    username: "ann",
    createdAt: "2025-01-02T03:04:05.000Z",
    lastActiveAt: lastActive.toISOString(),
    messagesSent: 3,
    hasPassword: false,
  });
  assert.equal(rows[1].lastActiveAt, null);
  assert.equal(rows[1].messagesSent, 1);

  const table = await runAdmin(dir.kv(), ["user:list"]);
  assert.equal(table.code, 0);
  const lines = table.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^username +created +last active +messages sent$/);
  const shown = lastActive.toISOString().slice(0, 16).replace("T", " ");
  assert.match(
    lines[1],
    new RegExp(`^ann +2025-01-02 03:04 UTC +${shown} UTC +3$`),
  );
  assert.match(lines[2], /^Bob +\d{4}-\d\d-\d\d \d\d:\d\d UTC +never +1$/);

  const stats = await runAdmin(dir.kv(), ["stats", "--json"]);
  assert.equal(stats.code, 0, stats.stderr);
  // The 40-day-old session is expired even if KV has not dropped it yet.
  assert.deepEqual(JSON.parse(stats.stdout), {
    users: 3,
    conversations: 2,
    groups: 0,
    messages: 5,
    sessions: 1,
    attachmentBytes: 0,
    attachmentBytesByUser: {},
  });
  const statsTable = await runAdmin(dir.kv(), ["stats"]);
  assert.match(
    statsTable.stdout,
    /^users +3\nconversations +2\ngroups +0\nmessages +5\nsessions +1\nattachmentBytes +0\n$/,
  );
});

Deno.test("user:delete refuses to run unconfirmed without a terminal, and names an unknown user", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });

  const unconfirmed = await runAdmin(dir.kv(), ["user:delete", "ann"], "ann\n");
  assert.equal(unconfirmed.code, 2);
  assert.match(
    unconfirmed.stderr,
    /^Refusing to go ahead without confirmation: stdin is not a terminal; pass --yes/,
  );
  assert.equal((await db.getUser(ann.id))?.username, "ann");

  const unknown = await runAdmin(dir.kv(), ["user:delete", "x", "--yes"]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'Cannot delete user "x": no such user\n');
});

Deno.test("user:delete removes the user and every key that mentions them, and fixes peers' counts", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "Ann" });
  const bob = await db.createUser({ username: "bob" });
  const cy = await db.createUser({ username: "cy" });
  await db.createSession("ann1", ann);
  await db.createSession("ann2", ann);
  await db.createSession("bob1", bob);
  await db.createUserWithIdentity({
    username: "dee",
    identity: { provider: "github", subject: "42" },
  });
  await db.linkIdentity(ann.id, { provider: "github", subject: "7" });
  await db.linkIdentity(ann.id, { provider: "oidc", subject: "ann@example" });
  // Enough messages for several delete batches, some with client ids.
  for (let i = 0; i < 1200; i++) {
    await db.sendMessage({
      from: i % 3 ? ann : bob,
      to: i % 3 ? bob : ann,
      text: `m${i}`,
      clientId: i % 2 ? crypto.randomUUID() : undefined,
    });
  }
  for (let i = 0; i < 4; i++) {
    await db.sendMessage({ from: cy, to: ann, text: `c${i}` });
  }
  for (let i = 0; i < 2; i++) {
    await db.sendMessage({ from: cy, to: bob, text: `b${i}` });
  }
  await db.sendMessage({ from: bob, to: cy, text: "to cy" });

  const deleted = await runAdmin(dir.kv(), ["user:delete", "ann", "--yes"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(
    deleted.stdout,
    'Deleted user "Ann", 2 conversations, 1204 messages and 2 sessions\n',
  );

  for (const { key, value } of await dumpAll(db)) {
    const text = JSON.stringify(
      [key, value],
      (_, v) => typeof v === "bigint" ? String(v) : v,
    );
    assert.ok(!text.includes(ann.id), `left behind: ${text}`);
  }
  assert.equal(await db.getUserByName("ann"), null);
  assert.deepEqual((await db.listUsers()).map((u) => u.username).sort(), [
    "bob",
    "cy",
    "dee",
  ]);
  assert.deepEqual((await db.listConversations(bob.id)).map((c) => c.peerId), [
    cy.id,
  ]);
  assert.deepEqual((await db.listConversations(cy.id)).map((c) => c.peerId), [
    bob.id,
  ]);
  const sent = async (id: string) =>
    (await db.kv.get<Deno.KvU64>(keys.sentCount(id))).value?.value;
  // "Messages sent" counts messages that exist: bob's 400 to Ann went with her.
  assert.equal(await sent(bob.id), 1n);
  assert.equal(await sent(cy.id), 2n);
  assert.equal((await db.validateSession("bob1"))?.userId, bob.id);
  assert.equal(await db.getUserIdByIdentity("github", "7"), null);
  assert.ok(await db.getUserIdByIdentity("github", "42"));
  const stats = await runAdmin(dir.kv(), ["stats", "--json"]);
  assert.deepEqual(JSON.parse(stats.stdout), {
    users: 3,
    conversations: 1,
    groups: 0,
    messages: 3,
    sessions: 1,
    attachmentBytes: 0,
    attachmentBytesByUser: {},
  });
});
