/**
 * Bytes fetch() refuses to send (control characters in headers, raw non-ASCII in the
 * request line) written straight to a socket: the server answers or closes, never dies.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertStillUp, fuzz, startFuzzServer } from "./harness.ts";

/** Sends raw bytes and returns the status line, or "" when the server just closed. */
async function sendRaw(port: number, request: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await conn.write(request);
    const buffer = new Uint8Array(512);
    const n = await Promise.race([
      conn.read(buffer),
      new Promise<null>((resolve) =>
        timer = setTimeout(() => resolve(null), 5_000)
      ),
    ]);
    return n
      ? new TextDecoder().decode(buffer.subarray(0, n)).split("\r\n")[0]
      : "";
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

const rawBytes = fc.uint8Array({ minLength: 1, maxLength: 40 });

Deno.test("fuzz: raw control and non-ASCII bytes in the request line, cookie and other headers never 5xx", async () => {
  await using server = await startFuzzServer();
  const concat = (...parts: (string | Uint8Array)[]) => {
    const bytes = parts.map((p) =>
      typeof p === "string" ? new TextEncoder().encode(p) : p
    );
    const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
    let offset = 0;
    for (const b of bytes) {
      out.set(b, offset);
      offset += b.length;
    }
    return out;
  };
  await fuzz(
    "raw bytes",
    [fc.constantFrom("path", "cookie", "origin", "content-type"), rawBytes],
    async (where, bytes) => {
      const head = where === "path"
        ? concat("GET /chat/", bytes, " HTTP/1.1\r\nHost: x\r\n")
        : concat(
          "POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n",
          where === "cookie"
            ? concat(`Cookie: ${server.aliceCookie}; x=`, bytes)
            : concat(`${where}: `, bytes),
          "\r\n",
        );
      const status = await sendRaw(
        server.port,
        concat(head, "Connection: close\r\n\r\n"),
      );
      assert.doesNotMatch(status, /^HTTP\/1\.1 5/, `${where}: ${status}`);
    },
    40,
  );
  await assertStillUp(server);
});
