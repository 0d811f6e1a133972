import assert from "node:assert/strict";
import { decodeLine, encodeEntry } from "../tasks/admin/jsonl.ts";
import { readLines } from "../tasks/admin/lines.ts";

function streamOf(
  chunks: Uint8Array[],
): ReadableStream<Uint8Array<ArrayBuffer>> {
  return ReadableStream.from(
    chunks.map((c) => new Uint8Array(c) as Uint8Array<ArrayBuffer>),
  );
}

Deno.test("readLines() splits lines across chunk boundaries, even inside a UTF-8 character", async () => {
  const bytes = new TextEncoder().encode("héllo ✓\r\nsecond\n\nlast");
  const chunks = Array.from(
    { length: bytes.length },
    (_, i) => bytes.subarray(i, i + 1),
  );
  const lines = await Array.fromAsync(readLines(streamOf(chunks)));
  assert.deepEqual(lines, ["héllo ✓", "second", "", "last"]);
});

Deno.test("export lines give back every key part and value type KV can hold", () => {
  const cases: Array<[Deno.KvKey, unknown]> = [
    [["users", "id"], { a: 1, nested: ["x", null, true], s: "\u2028\n" }],
    [["counts", "id"], new Deno.KvU64(18446744073709551615n)],
    [["bytes", new Uint8Array([0, 255])], new Uint8Array([1, 2, 3])],
    [["n", 1.5, -0, NaN, Infinity, 12n, false], 42n],
  ];
  for (const [key, value] of cases) {
    const decoded = decodeLine(encodeEntry(key, value));
    assert.equal(decoded.kind, "entry");
    if (decoded.kind !== "entry") continue;
    assert.deepEqual(decoded.key, key);
    assert.deepEqual(decoded.value, value);
    assert.equal(
      encodeEntry(decoded.key, decoded.value),
      encodeEntry(key, value),
    );
  }
});

Deno.test("export refuses values JSON would silently change", () => {
  assert.throws(
    () => encodeEntry(["k"], { when: new Date(0) }),
    /Cannot export key \["k"\]: a Date object/,
  );
  assert.throws(() => encodeEntry(["k"], [NaN]), /the number NaN/);
  assert.throws(() => encodeEntry(["k"], new Map()), /a Map object/);
});
