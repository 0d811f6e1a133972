import assert from "node:assert/strict";
import { truncateGraphemes } from "../lib/text.ts";

Deno.test("truncateGraphemes() leaves text within the limit untouched", () => {
  assert.equal(truncateGraphemes("hello", 5), "hello");
  assert.equal(truncateGraphemes("", 3), "");
  assert.equal(truncateGraphemes("hello world", 5), "hello");
});

Deno.test("truncateGraphemes() never cuts an emoji, a flag, a ZWJ family or an accent in half", () => {
  // "ab" + 😀 (2 units): a cut at 3 would leave a lone high surrogate.
  assert.equal(truncateGraphemes("ab😀c", 3), "ab");
  assert.equal(truncateGraphemes("ab😀c", 4), "ab😀");
  // 🇺🇦 is two regional indicators (4 units): never one letter of a flag.
  assert.equal(truncateGraphemes("x🇺🇦", 3), "x");
  assert.equal(truncateGraphemes("x🇺🇦🇺🇦", 7), "x🇺🇦");
  // 👩‍👩‍👧 is one grapheme of 8 units.
  assert.equal(truncateGraphemes("a👩‍👩‍👧", 8), "a");
  // e + combining acute is one grapheme.
  assert.equal(truncateGraphemes("cafe\u0301!", 4), "caf");
});

Deno.test("truncateGraphemes() output is always a well-formed prefix within the limit", () => {
  const samples = ["😀🇺🇦👩‍👩‍👧e\u0301", "Привет, мир", "a\u200db", "🏳️‍🌈".repeat(5)];
  for (const text of samples) {
    for (let max = 0; max <= text.length + 1; max++) {
      const out = truncateGraphemes(text, max);
      assert.ok(out.length <= max);
      assert.ok(text.startsWith(out));
      assert.ok(out.isWellFormed(), `${JSON.stringify(out)} at ${max}`);
    }
  }
});
