/**
 * Upgrades keep every byte: a KV written by the version before issue 10 (the fixture, see
 * tests/fixtures/README.md) is imported as it was, upgraded, and then used over HTTP.
 */
import assert from "node:assert/strict";
import { Db, LATEST_VERSION } from "../lib/db/db.ts";
import { keys } from "../lib/db/keys.ts";
import { conversationRecords } from "../lib/db/migrations/m002_conversation_records.ts";
import { runMigrations } from "../lib/db/migrations/runner.ts";
import { encodeEntry } from "../tasks/admin/jsonl.ts";
import { openKv, runAdmin, tempDir } from "./admin_helpers.ts";
import { messagesPath, startTestServer, TestClient } from "./helpers.ts";

const FIXTURE = new URL("./fixtures/v1_export.jsonl", import.meta.url).pathname;
const EXPECTED: Record<string, ExpectedRow[]> = JSON.parse(
  await Deno.readTextFile(
    new URL("./fixtures/v1_expected.json", import.meta.url),
  ),
);
const PASSWORDS: Record<string, string> = {
  ann: "ann-password-1",
  Bob: "bob-password-2",
  cyd: "cyd-password-3",
  dee: "dee-password-4",
};
const DEMO_PASSWORD = "demo-VUVyJEIJmi17";

interface ExpectedRow {
  peer: string;
  lastMessageAt: string;
  lastFromMe: boolean;
  preview: string;
  unread: number;
}

/** A fresh KV file holding the fixture exactly as the old version wrote it. */
async function importFixture(path: string): Promise<void> {
  const imported = await runAdmin(path, ["import", "--input", FIXTURE]);
  assert.equal(imported.code, 0, imported.stderr);
}

/** Every entry (lease aside) as export lines: a byte-exact picture of the KV. */
async function dump(db: Db): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of db.kv.list({ prefix: [] })) {
    if (entry.key[0] === "migration_lease") continue;
    lines.push(encodeEntry(entry.key, entry.value));
  }
  return lines;
}

/** The fixture's messages by conversation id, oldest first. */
async function fixtureMessages(): Promise<
  Map<string, Array<Record<string, unknown>>>
> {
  const byConversation = new Map<string, Array<Record<string, unknown>>>();
  for (const line of (await Deno.readTextFile(FIXTURE)).split("\n")) {
    if (!line.includes('"messages"')) continue;
    const { key, value } = JSON.parse(line);
    if (key[0] !== "conversations" || key[2] !== "messages") continue;
    const list = byConversation.get(key[1]) ?? [];
    list.push(value);
    byConversation.set(key[1], list);
  }
  return byConversation;
}

/** The chat list as the /users page shows it: peers in order, with times and unread. */
function chatList(html: string) {
  return html.split("<li").slice(1).flatMap((item) => {
    const time = item.match(/<time datetime="([^"]+)"/);
    if (!time) return [];
    return [{
      peer: item.match(/class="user-name">([^<]+)</)![1],
      lastMessageAt: time[1],
      unread: Number(item.match(/>(\d+) unread</)?.[1] ?? 0),
    }];
  });
}

Deno.test("a KV written by the previous version upgrades on start and every user finds everything", async () => {
  await using dir = await tempDir();
  await importFixture(dir.kv());
  {
    using db = await openKv(dir.kv());
    assert.equal((await db.migrationStatus()).current, 1);
  }
  await using server = await startTestServer({ DENO_KV_PATH: dir.kv() });
  const db = server.db;
  assert.equal((await db.migrationStatus()).current, LATEST_VERSION);
  const users = await db.listUsers();
  const nameOf = new Map(users.map((u) => [u.id, u.username]));

  // Every user's list, as the previous version computed it (eve signs in with GitHub only).
  for (const user of users) {
    const rows = (await db.listConversations(user.id)).map((c) => ({
      peer: nameOf.get(c.peerId),
      lastMessageAt: c.lastMessageAt,
      lastFromMe: c.lastFromId === user.id,
      preview: c.preview,
      unread: c.unread,
    }));
    assert.deepEqual(rows, EXPECTED[user.username], user.username);
  }
  const eve = await db.getUserByName("eve");
  assert.equal(await db.getUserIdByIdentity("github", "424242"), eve!.id);
  const ann = await db.getUserByName("ann");
  assert.deepEqual(
    (await db.listUserIdentities(ann!.id)).map((i) => [i.provider, i.subject]),
    [["oidc", "ann-sub-1001"]],
  );

  // Every password user logs in with the same password and sees the same chat list.
  const clients = new Map<string, TestClient>();
  for (const user of users.filter((u) => u.username !== "eve")) {
    const client = new TestClient(server.url);
    const password = PASSWORDS[user.username] ?? DEMO_PASSWORD;
    const login = await client.login(user.username, password);
    assert.equal(login.status, 303, `${user.username} logs in`);
    const page = await client.fetch("/users");
    assert.equal(page.status, 200);
    assert.deepEqual(
      chatList(await page.text()),
      EXPECTED[user.username].map(({ peer, lastMessageAt, unread }) => ({
        peer,
        lastMessageAt,
        unread,
      })),
      user.username,
    );
    clients.set(user.username, client);
  }

  // The same messages, with the same ids and times, in every conversation.
  for (const [cid, messages] of await fixtureMessages()) {
    const [a, b] = cid.split("_").map((id) => nameOf.get(id)!);
    const viewer = clients.has(a) ? a : b;
    const peer = viewer === a ? b : a;
    const res = await clients.get(viewer)!.fetch(
      `${messagesPath(peer)}?limit=100`,
    );
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(
      body.messages.map((
        m: Record<string, unknown>,
      ) => [m.id, m.sentAt, m.text]),
      messages.map((m) => [m.id, m.sentAt, m.text]),
      cid,
    );
  }

  // Sending and receiving work, and the old clientId slots still deduplicate.
  const annClient = clients.get("ann")!;
  const bobClient = clients.get("Bob")!;
  const before = await (await bobClient.fetch(messagesPath("ann"))).json();
  const firstId = (await fixtureMessages()).get(
    [ann!.id, (await db.getUserByName("Bob"))!.id].sort().join("_"),
  )![0].id;
  const repeat = await annClient.postJson(messagesPath("Bob"), {
    text: "Hi Bob! 👋",
    clientId: "00000000-0000-4000-8000-00000000a001",
  });
  assert.equal(repeat.status, 200, "a clientId sent before the upgrade");
  assert.equal((await repeat.json()).message.id, firstId);
  const sent = await annClient.postJson(messagesPath("Bob"), {
    text: "after the upgrade",
    clientId: crypto.randomUUID(),
  });
  assert.equal(sent.status, 201);
  const { message } = await sent.json();
  const received = await (await bobClient.fetch(
    `${messagesPath("ann")}?after=${before.cursor}`,
  )).json();
  assert.deepEqual(received.messages.map((m: { id: string }) => m.id), [
    message.id,
  ]);
  const again = await annClient.postJson(messagesPath("Bob"), {
    text: "after the upgrade",
    clientId: message.clientId,
  });
  assert.equal(again.status, 200);
  assert.equal((await again.json()).message.id, message.id);
  const list = chatList(await (await annClient.fetch("/users")).text());
  assert.equal(list[0].peer, "Bob", "the newest conversation comes first");
});

Deno.test("a second migration run, or a re-run of a finished migration, changes nothing", async () => {
  await using dir = await tempDir();
  await importFixture(dir.kv());
  using db = await openKv(dir.kv());
  const first = await db.migrate();
  assert.deepEqual([first.from, first.to, first.migrated], [1, 2, true]);
  const migrated = await dump(db);
  assert.ok(migrated.some((line) => line.includes('"schema_version"')));
  assert.ok(!migrated.some((line) => line.startsWith('{"key":["unread"')));
  const second = await db.migrate();
  assert.equal(second.migrated, false);
  const batch = await conversationRecords.batch(db.kv, { limit: 1000 });
  assert.equal(batch.changed, 0);
  // As after importing an export without a version: the data counts as version 1 again.
  await db.forgetSchemaVersion();
  assert.equal((await db.migrate()).migrated, true);
  assert.deepEqual(await dump(db), migrated);
});

Deno.test("a migration stopped half-way, even with its lease left behind, resumes to the same result", async () => {
  await using dir = await tempDir();
  await importFixture(dir.kv("whole"));
  await importFixture(dir.kv("halves"));
  using whole = await openKv(dir.kv("whole"));
  await whole.migrate();
  using halves = await openKv(dir.kv("halves"));
  await assert.rejects(
    halves.migrate({
      batchSize: 3,
      afterBatch: (_, batches) => {
        if (batches === 2) throw new Error("killed");
      },
    }),
    /killed/,
  );
  assert.equal((await halves.migrationStatus()).current, 1);
  const partial = await dump(halves);
  assert.ok(partial.some((line) => line.includes('"kind":"direct"')));
  assert.ok(partial.some((line) => line.startsWith('{"key":["unread"')));
  // A process killed while migrating leaves its lease until it expires: the next waits.
  await halves.kv.set(keys.migrationLease(), {
    owner: "a process that was killed",
    expiresAt: new Date(Date.now() + 300).toISOString(),
  });
  const lines: string[] = [];
  const resumed = await runMigrations(halves.kv, {
    pollMs: 20,
    log: (line) => lines.push(line),
  });
  assert.equal(resumed.migrated, true);
  assert.match(lines[0], /Waiting for another process/);
  assert.deepEqual(await dump(halves), await dump(whole));
});

Deno.test("two runners on one KV file migrate once; the other waits for the result", async () => {
  await using dir = await tempDir();
  await importFixture(dir.kv());
  using one = await openKv(dir.kv());
  using two = await openKv(dir.kv());
  const results = await Promise.all([
    one.migrate({ pollMs: 10, batchSize: 2 }),
    two.migrate({ pollMs: 10, batchSize: 2 }),
  ]);
  assert.deepEqual(results.map((r) => r.migrated).sort(), [false, true]);
  assert.equal((await one.migrationStatus()).current, LATEST_VERSION);
});

Deno.test("two admin processes started together on one KV migrate once", async () => {
  await using dir = await tempDir();
  await importFixture(dir.kv());
  const runs = await Promise.all([
    runAdmin(dir.kv(), ["migrate"]),
    runAdmin(dir.kv(), ["migrate"]),
  ]);
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const migrations = runs.filter((run) =>
    run.stdout.includes("Migrating to version 2")
  );
  assert.equal(migrations.length, 1, runs.map((r) => r.stdout).join("\n--\n"));
});

Deno.test("admin migrate --status and --dry-run report without writing; migrate logs progress", async () => {
  await using dir = await tempDir();
  const empty = await runAdmin(dir.kv("empty"), ["migrate", "--status"]);
  assert.match(empty.stdout, /^current 0\nlatest 2\nempty database/);
  await importFixture(dir.kv());
  const before = await (async () => {
    using db = await openKv(dir.kv());
    return await dump(db);
  })();
  const status = await runAdmin(dir.kv(), ["migrate", "--status"]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(status.stdout, "current 1\nlatest 2\n1 pending\n");
  const plan = await runAdmin(dir.kv(), ["migrate", "--dry-run"]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(
    plan.stdout,
    /^2: conversations as records: .*: move 16 conversation rows and 14 unread counters/,
  );
  {
    using db = await openKv(dir.kv());
    assert.deepEqual(
      await dump(db),
      before,
      "--status and --dry-run write nothing",
    );
  }
  const both = await runAdmin(dir.kv(), ["migrate", "--status", "--dry-run"]);
  assert.equal(both.code, 2);
  const run = await runAdmin(dir.kv(), ["migrate"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Migrating to version 2/);
  assert.match(run.stdout, /Schema version 2 \(16 items moved\)/);
  const after = await runAdmin(dir.kv(), ["migrate", "--status"]);
  assert.equal(after.stdout, "current 2\nlatest 2\n0 pending\n");
});

Deno.test("an empty database is stamped with the latest version when the server starts", async () => {
  await using dir = await tempDir();
  {
    await using _server = await startTestServer({ DENO_KV_PATH: dir.kv() });
  }
  using db = await openKv(dir.kv());
  // The server also made its device-cookie secret; nothing else was written.
  const written = (await dump(db)).filter((line) =>
    !line.startsWith('{"key":["secrets",')
  );
  assert.deepEqual(written, [
    `{"key":["schema_version"],"value":${LATEST_VERSION}}`,
  ]);
  assert.equal(await db.isEmpty(), true, "import still accepts it");
});

Deno.test("export and import round-trip a migrated database byte for byte, new keys included", async () => {
  await using dir = await tempDir();
  await importFixture(dir.kv("source"));
  {
    using db = await openKv(dir.kv("source"));
    await db.migrate();
  }
  const first = await runAdmin(dir.kv("source"), ["export"]);
  assert.equal(first.code, 0, first.stderr);
  for (const key of ['["schema_version"]', '"read"]', '"unread"]']) {
    assert.ok(first.stdout.includes(key), key);
  }
  const imported = await runAdmin(dir.kv("copy"), ["import"], first.stdout);
  assert.equal(imported.code, 0, imported.stderr);
  const second = await runAdmin(dir.kv("copy"), ["export"]);
  assert.equal(second.stdout, first.stdout);
});
