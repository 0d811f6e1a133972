import assert from "node:assert/strict";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

const texts = (page: { messages: Array<{ text: string }> }) =>
  page.messages.map((m) => m.text);

Deno.test("paging back with `older` reaches every message once, oldest first, ending at null", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  for (let i = 1; i <= 12; i++) {
    const res = await alice.postJson(messagesPath(bobName), { text: `m${i}` });
    assert.equal(res.status, 201);
  }
  const newest = await (await alice.fetch(`${messagesPath(bobName)}?limit=5`))
    .json();
  assert.deepEqual(texts(newest), ["m8", "m9", "m10", "m11", "m12"]);
  assert.equal(typeof newest.older, "string");
  const seen = [...texts(newest)];
  let older: string | null = newest.older;
  while (older) {
    const res = await alice.fetch(
      `${messagesPath(bobName)}?before=${older}&limit=5`,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const page = await res.json();
    assert.equal(typeof page.cursor, "string");
    seen.unshift(...texts(page));
    older = page.older;
  }
  assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => `m${i + 1}`));
});

Deno.test("a page that starts at the first message says older is null, at any limit", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const empty = await (await alice.fetch(messagesPath(bobName))).json();
  assert.deepEqual(empty, {
    messages: [],
    cursor: empty.cursor,
    older: null,
  });
  for (let i = 1; i <= 3; i++) {
    await alice.postJson(messagesPath(bobName), { text: `m${i}` });
  }
  const all = await (await alice.fetch(`${messagesPath(bobName)}?limit=3`))
    .json();
  assert.equal(all.older, null);
  const after = await (await alice.fetch(
    `${messagesPath(bobName)}?after=${all.cursor}`,
  )).json();
  assert.deepEqual(after.messages, []);
  assert.equal(
    typeof after.older,
    "string",
    "an empty page after 3 has 3 before it",
  );
  const back = await (await alice.fetch(
    `${messagesPath(bobName)}?before=${after.older}`,
  )).json();
  assert.deepEqual(texts(back), ["m1", "m2", "m3"]);
});

Deno.test("before is validated: garbage is 400, with after 422, limits 1..100", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const page = await (await alice.fetch(messagesPath(bobName))).json();
  const bad = await alice.fetch(`${messagesPath(bobName)}?before=nope`);
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.details.field, "before");
  const both = await alice.fetch(
    `${messagesPath(bobName)}?before=${page.cursor}&after=${page.cursor}`,
  );
  assert.equal(both.status, 422);
  await both.body?.cancel();
  for (const limit of ["0", "101", "x"]) {
    const res = await alice.fetch(
      `${messagesPath(bobName)}?before=${page.cursor}&limit=${limit}`,
    );
    assert.equal(res.status, 422);
    await res.body?.cancel();
  }
});
