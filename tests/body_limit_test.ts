/**
 * The body limit admits every valid 4000-character message however it is encoded, while
 * routes that take no message keep the small limit.
 */
import assert from "node:assert/strict";
import {
  messagesPath,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";
import { MESSAGE_MAX_LENGTH } from "../lib/schemas.ts";
import { MAX_BODY_BYTES } from "../server/http.ts";

/** `text` as JSON with every UTF-16 code unit written `\uXXXX` (surrogate pairs as two). */
function escapedJson(text: string): string {
  const escaped = Array.from(
    { length: text.length },
    (_, i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, "0")}`,
  ).join("");
  return `{"text":"${escaped}","clientId":"${crypto.randomUUID()}"}`;
}

const LONGEST = {
  cyrillic: "Ж".repeat(MESSAGE_MAX_LENGTH),
  euro: "€".repeat(MESSAGE_MAX_LENGTH),
  emoji: "😀".repeat(MESSAGE_MAX_LENGTH / 2),
  mixed: "a€Ж😀\n".repeat(MESSAGE_MAX_LENGTH / 6).padEnd(
    MESSAGE_MAX_LENGTH,
    "€",
  ),
};

Deno.test("a 4000-character message fits as a no-JS urlencoded form post, whatever the script", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  for (const [name, text] of Object.entries(LONGEST)) {
    assert.equal(text.length, MESSAGE_MAX_LENGTH);
    const body = new URLSearchParams({ text }).toString();
    const res = await alice.postForm(`/chat/${bobName}`, { text });
    await res.body?.cancel();
    assert.equal(res.status, 303, `${name}: ${body.length} bytes`);
  }
  // A browser sends a textarea's line breaks as CRLF: still one character each.
  const lines = "Ж\n".repeat(MESSAGE_MAX_LENGTH / 2).slice(0, -1) + "Ж";
  const res = await alice.postForm(`/chat/${bobName}`, {
    text: lines.replaceAll("\n", "\r\n"),
  });
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const stored = await (await alice.fetch(messagesPath(bobName))).json();
  assert.equal(stored.messages.length, 5);
  assert.equal(stored.messages.at(-1).text, lines);
});

Deno.test("a 4000-character message fits as fully \\u-escaped JSON, surrogate pairs included", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  for (const [name, text] of Object.entries(LONGEST)) {
    const res = await alice.fetch(messagesPath(bobName), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: escapedJson(text),
    });
    assert.equal(res.status, 201, name);
    assert.equal((await res.json()).message.text, text);
  }
  // One unit more is refused by the schema (422), not by the body limit (413).
  const res = await alice.fetch(messagesPath(bobName), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: escapedJson("€".repeat(MESSAGE_MAX_LENGTH + 1)),
  });
  assert.equal(res.status, 422);
  assert.equal((await res.json()).error.code, "invalid_fields");
});

Deno.test("routes that take no message keep the small body limit", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const big = "x".repeat(MAX_BODY_BYTES + 1);
  for (const path of ["/login", "/register"]) {
    const res = await client.postForm(path, { username: big });
    await res.body?.cancel();
    assert.equal(res.status, 413, path);
  }
  const { alice, bobName } = await registerPair(server.url);
  const huge = await alice.postJson(messagesPath(bobName), {
    text: "x".repeat(41 * 1024),
  });
  assert.equal(huge.status, 413);
  assert.equal((await huge.json()).error.code, "payload_too_large");
});
