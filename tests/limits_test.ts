/**
 * Limits that fit people: a user holds at most MAX_HELD_POLLS_PER_USER long polls, and
 * every 429 (JSON or HTML) says when to retry.
 */
import assert from "node:assert/strict";
import { headWaiterFor } from "../lib/long_poll.ts";
import { MAX_HELD_POLLS_PER_USER } from "../server/rate_limit.ts";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

/** Polls `check` until it is true; fails after `timeoutMs` rather than hanging. */
async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("waitFor: condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("a user holds at most 8 long polls; the next gets 429 too_many_polls with Retry-After until one ends", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const first = await bob.fetch(messagesPath(aliceName));
  const { cursor } = await first.json();
  const poll = `${messagesPath(aliceName)}?after=${cursor}&wait=25`;
  const aborts = Array.from(
    { length: MAX_HELD_POLLS_PER_USER },
    () => new AbortController(),
  );
  const held = aborts.map((a) =>
    bob.fetch(poll, { signal: a.signal }).catch(() => null)
  );
  await waitFor(() =>
    headWaiterFor(server.db).held === MAX_HELD_POLLS_PER_USER
  );

  const refused = await bob.fetch(poll);
  assert.equal(refused.status, 429);
  assert.match(refused.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  assert.equal((await refused.json()).error.code, "too_many_polls");

  // Another user is not affected by Bob's polls.
  const alicePoll = await alice.fetch(
    `${messagesPath(bobName)}?after=${cursor}&wait=0`,
  );
  assert.equal(alicePoll.status, 200);
  await alicePoll.body?.cancel();

  aborts[0].abort();
  await waitFor(() =>
    headWaiterFor(server.db).held === MAX_HELD_POLLS_PER_USER - 1
  );
  const again = bob.fetch(poll);
  await waitFor(() =>
    headWaiterFor(server.db).held === MAX_HELD_POLLS_PER_USER
  );
  // One message answers every held poll at once.
  const sent = await alice.postJson(messagesPath(bobName), { text: "wake" });
  assert.equal(sent.status, 201);
  await sent.body?.cancel();
  const answers = await Promise.all([again, ...held.slice(1)]);
  for (const res of answers) {
    assert.equal(res?.status, 200);
    await res?.body?.cancel();
  }
});

Deno.test("the no-JavaScript chat form answers 429 with Retry-After once the send limit is spent", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  let last: Response | undefined;
  // The burst is 300 messages (then 20/s): send faster than that until refused.
  for (let batch = 0; batch < 100 && last?.status !== 429; batch++) {
    const responses = await Promise.all(
      Array.from(
        { length: 10 },
        () => alice.postForm(`/chat/${bobName}`, { text: "hello" }),
      ),
    );
    for (const res of responses) {
      await res.body?.cancel();
      if (res.status === 429) last = res;
    }
  }
  assert.equal(last?.status, 429);
  assert.match(last?.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
});
