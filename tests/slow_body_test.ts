/**
 * A client that sends its body a byte now and then cannot hold a request open: a form or
 * JSON body must arrive within 10 s (408), an upload must not stall for 30 s (408).
 */
import assert from "node:assert/strict";
import { DomainError } from "../lib/errors.ts";
import { readMultipart } from "../server/multipart.ts";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

Deno.test("a JSON body that stops arriving gets 408 over real HTTP, and the server serves on", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const url = new URL(server.url);
  const conn = await Deno.connect({
    hostname: url.hostname,
    port: Number(url.port),
  });
  const cookie = [...alice.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const head = [
    `POST ${messagesPath(bobName)} HTTP/1.1`,
    `Host: ${url.host}`,
    `Origin: ${server.url}`,
    `Cookie: ${cookie}`,
    "Content-Type: application/json",
    "Content-Length: 40",
    "",
    '{"text":', // 8 of the 40 bytes promised; the rest never comes
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(head));
  const buffer = new Uint8Array(4096);
  const read = await conn.read(buffer); // waits for the server's answer
  conn.close();
  const answer = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
  assert.match(answer, /^HTTP\/1\.1 408/, answer);
  assert.match(answer, /body_timeout/);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  await health.body?.cancel();
});

Deno.test("an upload that stalls fails with 408 (readMultipart's idle timeout)", async () => {
  const te = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(te.encode(
        '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n' +
          "Content-Type: text/plain\r\n\r\nthe first bytes",
      ));
      // …and then nothing more, never closing.
    },
  });
  const req = new Request("http://localhost/upload", {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=b" },
    body,
    duplex: "half",
  } as RequestInit);
  const error = await readMultipart(req, {
    maxFileBytes: 1024,
    maxFieldBytes: 64,
    idleMs: 50,
    onFile: async (_name, bytes) => {
      for await (const _ of bytes) { /* consume */ }
    },
  }).then(() => null, (e) => e);
  assert.ok(error instanceof DomainError, String(error));
  assert.equal(error.kind, "timeout");
  assert.equal(error.code, "upload_stalled");
});
