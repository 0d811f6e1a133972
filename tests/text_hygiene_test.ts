/**
 * Text hygiene over HTTP: control characters and invisible-only messages are refused (422)
 * by the API and the no-JS form alike and nothing is stored; previews end on a grapheme
 * boundary; a username that only looks like another one is not found.
 */
import assert from "node:assert/strict";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

const CONTROL = [
  "\0",
  "\x01",
  "\x08",
  "\x0b",
  "\x0c",
  "\x1b[2J",
  "\x1f",
  "\x7f",
  "\x85",
  "\x9b",
];
const INVISIBLE = [
  "\u200b",
  "\u200d",
  "\ufeff",
  "\u2060",
  "\ufe0f",
  "\u{e0100}",
  "\u00ad",
  "\u3164",
  " \u200b\u200c\u200d\t\n ",
];

async function messageCount(
  client: { fetch(path: string): Promise<Response> },
  peer: string,
): Promise<number> {
  const res = await client.fetch(messagesPath(peer));
  return (await res.json()).messages.length;
}

Deno.test("messages with control characters (except newline and tab), lone surrogates or nothing visible get 422 from the API and store nothing", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const loneSurrogates = ["\ud800", "a\udfff", "\ude00😀"];
  for (
    const bad of [
      ...CONTROL.map((c) => `hi ${c} there`),
      ...INVISIBLE,
      ...loneSurrogates,
    ]
  ) {
    const res = await alice.postJson(messagesPath(bobName), { text: bad });
    assert.equal(res.status, 422, JSON.stringify(bad));
    const body = await res.json();
    assert.equal(body.error.code, "invalid_fields");
    assert.equal(typeof body.error.message, "string");
  }
  assert.equal(await messageCount(alice, bobName), 0);
  const ok = await alice.postJson(messagesPath(bobName), {
    text: "line one\n\tindented 👋",
  });
  assert.equal(ok.status, 201);
  assert.equal((await ok.json()).message.text, "line one\n\tindented 👋");
});

Deno.test("the no-JS form refuses the same messages with 422 and stores CRLF line breaks as LF", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  for (const bad of ["a\0b", "\x1b[31mred", "\u200b\u2060", "\x85"]) {
    const res = await alice.postForm(`/chat/${bobName}`, { text: bad });
    await res.body?.cancel();
    assert.equal(res.status, 422, JSON.stringify(bad));
  }
  assert.equal(await messageCount(alice, bobName), 0);
  const res = await alice.postForm(`/chat/${bobName}`, { text: "a\r\nb" });
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const stored = await (await alice.fetch(messagesPath(bobName))).json();
  assert.equal(stored.messages[0].text, "a\nb");
});

Deno.test("the chat list's preview ends on a grapheme boundary, never half an emoji or flag", async () => {
  await using server = await startTestServer();
  const { alice, aliceName, bobName } = await registerPair(server.url);
  const text = `${"a".repeat(119)}🇺🇦 and more`;
  const res = await alice.postJson(messagesPath(bobName), { text });
  assert.equal(res.status, 201);
  const me = await server.db.getUserByName(aliceName);
  const [row] = await server.db.listConversations(me!.id);
  assert.equal(row.preview, "a".repeat(119));
  const page = await (await alice.fetch("/users")).text();
  assert.match(page, new RegExp(`You: ${"a".repeat(119)}<`));
});

Deno.test("a username in the URL that is not ASCII (Kelvin sign for k) is 404 on the page and the API, not an alias", async () => {
  await using server = await startTestServer();
  const { alice, bob } = await registerPair(server.url);
  const kate = await bob.register(`kate_${crypto.randomUUID().slice(0, 8)}`);
  const ok = await alice.fetch(`/chat/${kate}`);
  await ok.body?.cancel();
  assert.equal(ok.status, 200, "the real name works");
  for (
    const name of [
      kate.replace("k", "\u212a"),
      `${kate}\u0000`,
      `${kate}\u00a0`,
    ]
  ) {
    const page = await alice.fetch(`/chat/${encodeURIComponent(name)}`);
    await page.body?.cancel();
    assert.equal(page.status, 404, `page for ${JSON.stringify(name)}`);
    const api = await alice.fetch(messagesPath(name));
    assert.equal(api.status, 404);
    assert.equal((await api.json()).error.code, "user_not_found");
    const post = await alice.postJson(messagesPath(name), { text: "hi" });
    assert.equal(post.status, 404);
    await post.body?.cancel();
    const form = await alice.postForm(`/chat/${encodeURIComponent(name)}`, {
      text: "hi",
    });
    await form.body?.cancel();
    assert.equal(form.status, 404);
  }
  assert.equal(await messageCount(alice, kate), 0);
});
