/**
 * Caching and compression over real HTTP: private answers are never stored, pages and
 * scripts go compressed when the client accepts it, static files have hashed URLs.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import {
  messagesPath,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";
import { compress } from "../server/middleware/compress.ts";

/** One server for the file; each step below uses a fresh pair or the shared one. */
async function withServer(
  fn: (ctx: {
    server: { url: string };
    alice: TestClient;
    bobName: string;
  }) => Promise<void>,
): Promise<void> {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  // Enough history that the chat page and its JSON are well over 1 KiB.
  for (let i = 0; i < 30; i++) {
    const res = await alice.postJson(messagesPath(bobName), {
      text: `message ${i} with some words to make it longer`,
    });
    await res.body?.cancel();
  }
  await fn({ server, alice, bobName });
}

/**
 * GET with an explicit Accept-Encoding, reading the bytes as they went over the wire
 * (node:http, because Deno's fetch decodes compressed bodies itself).
 */
function rawGet(
  client: TestClient,
  path: string,
  acceptEncoding: string,
): Promise<{ res: RawResponse; bytes: Uint8Array }> {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, client.baseUrl), {
      headers: { "accept-encoding": acceptEncoding, cookie },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const header = (name: string) => {
          const value = res.headers[name];
          return value === undefined ? null : String(value);
        };
        resolve({
          res: { status: res.statusCode ?? 0, headers: { get: header } },
          bytes: new Uint8Array(Buffer.concat(chunks)),
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

interface RawResponse {
  status: number;
  headers: { get(name: string): string | null };
}

Deno.test("every /api answer carries Cache-Control: no-store, errors and 401s included", () =>
  withServer(async ({ server, alice, bobName }) => {
    const anonymous = new TestClient(server.url);
    for (
      const [client, path] of [
        [alice, messagesPath(bobName)],
        [alice, "/api/nothing-here"],
        [anonymous, messagesPath(bobName)],
      ] as const
    ) {
      const res = await client.fetch(path);
      await res.body?.cancel();
      assert.equal(res.headers.get("cache-control"), "no-store", path);
    }
  }));

Deno.test("signed-in pages carry Cache-Control: no-store, and after logout they redirect to login", () =>
  withServer(async ({ server }) => {
    const { alice: carol, bobName: peer } = await registerPair(server.url);
    for (const path of ["/users", `/chat/${peer}`, "/account"]) {
      const res = await carol.fetch(path);
      await res.body?.cancel();
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("cache-control"), "no-store", path);
    }
    const out = await carol.postForm("/logout", {});
    await out.body?.cancel();
    const after = await carol.fetch("/users");
    await after.body?.cancel();
    assert.equal(after.status, 303);
    assert.match(after.headers.get("location") ?? "", /^\/login/);
  }));

Deno.test("pages, JSON, CSS and island scripts over 1 KiB are compressed with gzip or brotli as accepted", () =>
  withServer(async ({ alice, bobName }) => {
    const page = await rawGet(alice, `/chat/${bobName}`, "gzip");
    assert.equal(page.res.headers.get("content-encoding"), "gzip");
    assert.match(page.res.headers.get("vary") ?? "", /accept-encoding/i);
    const html = new TextDecoder().decode(gunzipSync(page.bytes));
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal(
      Number(page.res.headers.get("content-length")),
      page.bytes.length,
    );

    const jsonBr = await rawGet(
      alice,
      messagesPath(bobName),
      "br;q=1, gzip;q=0.5",
    );
    assert.equal(jsonBr.res.headers.get("content-encoding"), "br");
    const json = JSON.parse(
      new TextDecoder().decode(brotliDecompressSync(jsonBr.bytes)),
    );
    assert.equal(json.messages.length, 30);

    const script = html.match(/src="(\/_fresh\/islands\/[^"]+\.js)"/)?.[1];
    const css = html.match(/href="(\/_static\/[^"]+\/styles\.css)"/)?.[1];
    assert.ok(script && css, "the page links its island script and stylesheet");
    for (const path of [script, css]) {
      const { res } = await rawGet(alice, path, "gzip, deflate, br");
      assert.equal(res.headers.get("content-encoding"), "br", path);
    }

    const plain = await rawGet(alice, `/chat/${bobName}`, "identity");
    assert.equal(plain.res.headers.get("content-encoding"), null);
    assert.match(new TextDecoder().decode(plain.bytes), /^<!DOCTYPE html>/);
  }));

// The app leaves answers under 1 KiB alone (server/middleware/compress_test.ts); Deno 2.5's
// own server still gzips some of them by itself, so over the wire either must decode.
Deno.test("answers under 1 KiB arrive whole, compressed by nobody but the runtime", () =>
  withServer(async ({ alice, bobName }) => {
    const { res, bytes } = await rawGet(
      alice,
      `${messagesPath(bobName)}?limit=1`,
      "gzip",
    );
    const encoding = res.headers.get("content-encoding");
    assert.ok(encoding === null || encoding === "gzip", String(encoding));
    const plain = encoding === "gzip" ? gunzipSync(bytes) : bytes;
    assert.ok(plain.length < 1024);
    JSON.parse(new TextDecoder().decode(plain));
  }));

Deno.test("a long poll still waits and answers when the client accepts compression", () =>
  withServer(async ({ server }) => {
    const { alice: ann, bob: ben, bobName: benName, aliceName: annName } =
      await registerPair(server.url);
    const first = await ann.fetch(messagesPath(benName));
    const { cursor } = await first.json();
    const held = rawGet(
      ann,
      `${messagesPath(benName)}?after=${encodeURIComponent(cursor)}&wait=10`,
      "gzip",
    );
    const sent = await ben.postJson(messagesPath(annName), { text: "wake up" });
    await sent.body?.cancel();
    const { res, bytes } = await held;
    assert.equal(res.status, 200);
    // Small answers go as they are; a big one would be gzip.
    const text = res.headers.get("content-encoding") === "gzip"
      ? new TextDecoder().decode(gunzipSync(bytes))
      : new TextDecoder().decode(bytes);
    assert.equal(JSON.parse(text).messages[0].text, "wake up");
  }));

Deno.test("static files have content-hashed URLs cached for a year, and the plain URL still works with a short cache", () =>
  withServer(async ({ server, alice }) => {
    const res = await alice.fetch("/users");
    const html = await res.text();
    const css = html.match(/href="(\/_static\/([0-9a-f]{16})\/styles\.css)"/);
    const icon = html.match(/href="(\/_static\/[0-9a-f]{16}\/favicon\.svg)"/);
    assert.ok(css && icon, "pages link hashed styles.css and favicon.svg");
    const source = await Deno.readFile(
      new URL("../static/styles.css", import.meta.url),
    );
    const hashed = await fetch(new URL(css[1], server.url), {
      headers: { "accept-encoding": "identity" },
    });
    assert.equal(hashed.status, 200);
    assert.equal(
      hashed.headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
    assert.match(hashed.headers.get("content-type") ?? "", /^text\/css/);
    assert.deepEqual(new Uint8Array(await hashed.arrayBuffer()), source);

    const plain = await fetch(new URL("/styles.css", server.url));
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get("cache-control"), "public, max-age=300");
    await plain.body?.cancel();

    const wrong = await fetch(
      new URL("/_static/0000000000000000/styles.css", server.url),
    );
    assert.equal(wrong.status, 404);
    await wrong.body?.cancel();
  }));

Deno.test("compress() never touches an event stream: events arrive while it is still open", async () => {
  const app = new Hono();
  app.use("*", compress());
  let close = () => {};
  app.get("/stream", () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          new TextEncoder().encode(`data: ${"x".repeat(2000)}\n\n`),
        );
        close = () => controller.close();
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream" },
    });
  });
  const res = await app.request("/stream", {
    headers: { "accept-encoding": "gzip, br" },
  });
  assert.equal(res.headers.get("content-encoding"), null);
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /^data: x+/);
  close();
  await reader.cancel();
});
