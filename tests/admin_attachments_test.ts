import assert from "node:assert/strict";
import { jpegWithGps, upload } from "./attachment_fixtures.ts";
import { dumpAll, openKv, runAdmin, tempDir } from "./admin_helpers.ts";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

Deno.test("stats counts attachment bytes per user; export/import round-trips them byte for byte; user:delete removes them", async () => {
  await using dir = await tempDir();
  const random = crypto.getRandomValues(new Uint8Array(65536));
  const big = new Uint8Array(300 * 1024).map((_, i) => random[i % 65536] ^ i);
  let aliceName = "", bobName = "";
  {
    await using server = await startTestServer({ DENO_KV_PATH: dir.kv() });
    const pair = await registerPair(server.url);
    ({ aliceName, bobName } = pair);
    const ids = [];
    for (
      const [bytes, name] of [[big, "big.bin"], [
        await jpegWithGps(),
        "p.jpg",
      ]] as const
    ) {
      const res = await upload(pair.alice, bobName, bytes, name);
      assert.equal(res.status, 201);
      ids.push((await res.json()).attachment.id);
    }
    const sent = await pair.alice.postJson(messagesPath(bobName), {
      text: "",
      attachments: ids,
    });
    assert.equal(sent.status, 201);
    await sent.body?.cancel();
    const own = await pair.bob.fetch(messagesPath(aliceName));
    const url = (await own.json()).messages[0].attachments[0].url;
    const download = await pair.bob.fetch(url);
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), big);
  }

  const stats = JSON.parse(
    (await runAdmin(dir.kv(), ["stats", "--json"])).stdout,
  );
  assert.ok(stats.attachmentBytes > big.length);
  assert.deepEqual(Object.keys(stats.attachmentBytesByUser), [aliceName]);
  assert.equal(stats.attachmentBytesByUser[aliceName], stats.attachmentBytes);

  const file = `${dir.path}/backup.jsonl`;
  const exported = await runAdmin(dir.kv(), ["export", "--output", file]);
  assert.equal(exported.code, 0, exported.stderr);
  const imported = await runAdmin(dir.kv("copy"), ["import", "--input", file]);
  assert.equal(imported.code, 0, imported.stderr);
  {
    using a = await openKv(dir.kv());
    using b = await openKv(dir.kv("copy"));
    const chunks = (entries: Awaited<ReturnType<typeof dumpAll>>) =>
      entries.filter((e) => e.key.includes("attachment_chunks"));
    const before = chunks(await dumpAll(a));
    assert.ok(before.length >= 6);
    assert.deepEqual(chunks(await dumpAll(b)), before);
  }

  const deleted = await runAdmin(dir.kv(), ["user:delete", aliceName, "--yes"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  using db = await openKv(dir.kv());
  const left = (await dumpAll(db)).filter((e) =>
    ["attachment_chunks", "attachments", "user_attachments"].some((part) =>
      e.key.includes(part) || e.key[0] === part
    )
  );
  assert.deepEqual(left, []);
  const after = JSON.parse(
    (await runAdmin(dir.kv(), ["stats", "--json"])).stdout,
  );
  assert.equal(after.attachmentBytes, 0);
});
