import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import {
  chooseEncoding,
  compress,
  COMPRESS_THRESHOLD_BYTES,
} from "./compress.ts";

const BIG = "<p>" + "chat ".repeat(400) + "</p>";

/** An app with only compress() in front of routes that answer `body` with these headers. */
function appWith(body: string, headers: Record<string, string>) {
  const app = new Hono();
  app.use("*", compress());
  app.get("/", () => new Response(body, { headers }));
  return app;
}

function get(app: Hono, acceptEncoding?: string): Promise<Response> {
  return Promise.resolve(app.request("/", {
    headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {},
  }));
}

Deno.test("a page of 1 KiB or more goes gzip when only gzip is accepted, with its compressed length and Vary", async () => {
  const app = appWith(BIG, { "content-type": "text/html; charset=utf-8" });
  const res = await get(app, "gzip, deflate");
  assert.equal(res.headers.get("content-encoding"), "gzip");
  assert.match(res.headers.get("vary") ?? "", /accept-encoding/i);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(Number(res.headers.get("content-length")), bytes.length);
  assert.ok(bytes.length < BIG.length);
  assert.equal(new TextDecoder().decode(gunzipSync(bytes)), BIG);
});

Deno.test("brotli is chosen when accepted, unless its q is 0", async () => {
  const app = appWith(BIG, { "content-type": "application/json" });
  const br = await get(app, "gzip, deflate, br");
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.equal(
    new TextDecoder().decode(
      brotliDecompressSync(new Uint8Array(await br.arrayBuffer())),
    ),
    BIG,
  );
  const refused = await get(app, "br;q=0, gzip");
  assert.equal(refused.headers.get("content-encoding"), "gzip");
  await refused.body?.cancel();
});

Deno.test("nothing is compressed when the client accepts no encoding, but Vary still says why", async () => {
  const app = appWith(BIG, { "content-type": "text/html" });
  for (const accept of [undefined, "identity", "gzip;q=0, br;q=0", "*;q=0"]) {
    const res = await get(app, accept);
    assert.equal(res.headers.get("content-encoding"), null, String(accept));
    assert.match(res.headers.get("vary") ?? "", /accept-encoding/i);
    assert.equal(await res.text(), BIG);
  }
});

Deno.test("an answer under 1 KiB is sent as it is; exactly 1 KiB is compressed", async () => {
  const under = appWith("x".repeat(COMPRESS_THRESHOLD_BYTES - 1), {
    "content-type": "text/plain",
  });
  const small = await get(under, "gzip, br");
  assert.equal(small.headers.get("content-encoding"), null);
  assert.equal((await small.text()).length, COMPRESS_THRESHOLD_BYTES - 1);
  const at = appWith("x".repeat(COMPRESS_THRESHOLD_BYTES), {
    "content-type": "text/plain",
  });
  const big = await get(at, "gzip, br");
  assert.equal(big.headers.get("content-encoding"), "br");
  await big.body?.cancel();
});

Deno.test("event streams, images, already-encoded and no-transform answers are never compressed", async () => {
  for (
    const headers of <Record<string, string>[]> [
      { "content-type": "text/event-stream" },
      { "content-type": "image/png" },
      { "content-type": "text/html", "content-encoding": "gzip" },
      { "content-type": "text/html", "cache-control": "no-transform" },
    ]
  ) {
    const res = await get(appWith(BIG, headers), "gzip, br");
    assert.equal(
      res.headers.get("content-encoding"),
      headers["content-encoding"] ?? null,
      JSON.stringify(headers),
    );
    assert.equal(await res.text(), BIG, JSON.stringify(headers));
  }
});

Deno.test("a compressed answer's strong ETag becomes weak, since its bytes differ", async () => {
  const app = appWith(BIG, { "content-type": "text/css", etag: '"abc"' });
  const res = await get(app, "gzip");
  assert.equal(res.headers.get("etag"), 'W/"abc"');
  await res.body?.cancel();
});

Deno.test("chooseEncoding() prefers br, then gzip, honouring q=0 and the wildcard", () => {
  assert.equal(chooseEncoding(null), null);
  assert.equal(chooseEncoding(""), null);
  assert.equal(chooseEncoding("gzip, br"), "br");
  assert.equal(chooseEncoding("GZIP"), "gzip");
  assert.equal(chooseEncoding("br;q=0, gzip;q=0.5"), "gzip");
  assert.equal(chooseEncoding("*"), "br");
  assert.equal(chooseEncoding("br;q=0, *"), "gzip");
  assert.equal(chooseEncoding("deflate, identity"), null);
});
