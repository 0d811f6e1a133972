import assert from "node:assert/strict";
import {
  hashPassword,
  PBKDF2_ITERATIONS,
  timingSafeEqual,
  verifyPassword,
} from "../lib/passwords.ts";

Deno.test("hashPassword() stores PBKDF2-SHA256 parameters beside a salted hash", async () => {
  const a = await hashPassword("correct horse");
  const b = await hashPassword("correct horse");
  assert.equal(a.algorithm, "pbkdf2-sha256");
  assert.ok(a.iterations >= 600_000);
  assert.equal(a.iterations, PBKDF2_ITERATIONS);
  assert.notEqual(a.salt, b.salt, "each hash gets its own random salt");
  assert.notEqual(a.hash, b.hash);
  assert.ok(!JSON.stringify(a).includes("correct horse"));
});

Deno.test("verifyPassword() accepts the right password and rejects others", async () => {
  const stored = await hashPassword("correct horse");
  assert.equal(await verifyPassword("correct horse", stored), true);
  assert.equal(await verifyPassword("correct horsE", stored), false);
  assert.equal(await verifyPassword("", stored), false);
});

Deno.test("verifyPassword() honours the stored iteration count, so it can be raised later", async () => {
  const stored = await hashPassword("old password");
  const fewer = { ...stored, iterations: 1000 };
  assert.equal(await verifyPassword("old password", fewer), false);
});

Deno.test("timingSafeEqual() compares whole arrays", () => {
  assert.equal(
    timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])),
    true,
  );
  assert.equal(
    timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])),
    false,
  );
  assert.equal(
    timingSafeEqual(new Uint8Array([1]), new Uint8Array([1, 2])),
    false,
  );
});
