import assert from "node:assert/strict";
import { Db } from "../lib/db/db.ts";
import { commitWithRetry, MAX_COMMIT_ATTEMPTS } from "../lib/db/kv.ts";
import { DomainError } from "../lib/errors.ts";
import { hashPassword, verifyPassword } from "../lib/passwords.ts";
import { randomUsername } from "./helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("commitWithRetry() re-reads after a conflict and gives up as busy after the bounded attempts", async () => {
  using kv = await Deno.openKv(":memory:");
  let attempts = 0;
  const result = await commitWithRetry(async () => {
    attempts++;
    const entry = await kv.get(["counter"]);
    // A concurrent writer changes the key between this read and the first commit.
    if (attempts === 1) await kv.set(["counter"], "someone else");
    return {
      op: kv.atomic().check(entry).set(["counter"], "mine"),
      result: attempts,
    };
  }, "Cannot count: try again");
  assert.equal(result, 2);
  assert.equal((await kv.get(["counter"])).value, "mine");

  let tries = 0;
  await assert.rejects(
    commitWithRetry(() => {
      tries++;
      // Never true: a missing key has no versionstamp.
      const op = kv.atomic().check({
        key: ["missing"],
        versionstamp: "00000000000000010000",
      });
      return Promise.resolve({ op, result: undefined });
    }, "Cannot do it: try again"),
    (e) =>
      e instanceof DomainError && e.kind === "busy" &&
      e.message === "Cannot do it: try again",
  );
  assert.equal(tries, MAX_COMMIT_ATTEMPTS);
});

Deno.test("setPassword() under concurrent changes retries with backoff until every change lands", async () => {
  const db = await Db.open(":memory:");
  try {
    const user = await db.createUser({ username: randomUsername() });
    const hashes = await Promise.all(
      ["one-password", "two-password"].map((p) => hashPassword(p)),
    );
    await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => db.setPassword(user.id, hashes[i % 2]),
      ),
    );
    const stored = (await db.getUser(user.id))!.password!;
    const matches = await Promise.all(
      ["one-password", "two-password"].map((p) => verifyPassword(p, stored)),
    );
    assert.equal(matches.filter(Boolean).length, 1);
  } finally {
    db.close();
  }
});

Deno.test("inside lib/db/ every write commits through kv.ts", async () => {
  const offenders: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}lib/db`)) {
    const files = entry.isDirectory
      ? [...Deno.readDirSync(`${ROOT}lib/db/${entry.name}`)].map((f) =>
        `${entry.name}/${f.name}`
      )
      : [entry.name];
    for (const file of files) {
      if (file === "kv.ts" || !file.endsWith(".ts")) continue;
      const source = await Deno.readTextFile(`${ROOT}lib/db/${file}`);
      if (/\.commit\(\)|\bkv\.(set|delete)\(/.test(source)) {
        offenders.push(file);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
