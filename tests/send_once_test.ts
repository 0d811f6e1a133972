import assert from "node:assert/strict";
import {
  messagesPath,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";

const api = messagesPath;

async function texts(client: TestClient, peer: string): Promise<string[]> {
  const res = await client.fetch(`${api(peer)}?limit=100`);
  assert.equal(res.status, 200);
  return (await res.json()).messages.map((m: { text: string }) => m.text);
}

Deno.test("a repeated clientId answers 201 then 200 with the same stored message, stored once", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const clientId = crypto.randomUUID();

  const first = await alice.postJson(api(bobName), { text: "once", clientId });
  assert.equal(first.status, 201);
  assert.match(first.headers.get("content-type") ?? "", /application\/json/);
  const stored = (await first.json()).message;

  // The retry of a send whose answer was lost: same clientId, maybe edited text.
  for (const text of ["once", "once, edited"]) {
    const again = await alice.postJson(api(bobName), { text, clientId });
    assert.equal(again.status, 200);
    assert.match(again.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual((await again.json()).message, stored);
  }
  assert.deepEqual(await texts(bob, aliceName), ["once"]);
});

Deno.test("concurrent sends with one clientId store one message and all answer with it", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const clientId = crypto.randomUUID();
  const answers = await Promise.all(
    Array.from(
      { length: 6 },
      () => alice.postJson(api(bobName), { text: "race", clientId }),
    ),
  );
  assert.deepEqual(
    answers.map((res) => res.status).sort(),
    [200, 200, 200, 200, 200, 201],
  );
  const ids = await Promise.all(
    answers.map(async (res) => (await res.json()).message.id),
  );
  assert.equal(new Set(ids).size, 1);
  assert.deepEqual(await texts(bob, aliceName), ["race"]);
});

Deno.test("a clientId is per sender: the peer using the same one sends a new message", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const clientId = crypto.randomUUID();
  const mine = await alice.postJson(api(bobName), { text: "mine", clientId });
  assert.equal(mine.status, 201);
  await mine.body?.cancel();
  const theirs = await bob.postJson(api(aliceName), {
    text: "theirs",
    clientId,
  });
  assert.equal(theirs.status, 201);
  await theirs.body?.cancel();
  assert.deepEqual(await texts(alice, bobName), ["mine", "theirs"]);
});

Deno.test("a clientId that is not a UUID is refused with 422", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const res = await alice.postJson(api(bobName), {
    text: "hi",
    clientId: "abc",
  });
  assert.equal(res.status, 422);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  await res.body?.cancel();
});
