/** `user:providers`, `user:unlink` and the providers note of `user:passwd`, run as the real task. */
import assert from "node:assert/strict";
import { openKv, runAdmin, tempDir } from "./admin_helpers.ts";

Deno.test("user:providers lists a user's linked providers as a table or JSON", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });
  await db.linkIdentity(ann.id, {
    provider: "github",
    subject: "7",
    login: "ann-gh",
  });
  await db.createUser({ username: "bob" });

  const listed = await runAdmin(dir.kv(), ["user:providers", "ANN"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^"ann" has no password; linked providers:\n/);
  assert.match(listed.stdout, /^github\s+ann-gh\s+7\s+\d{4}-\d\d-\d\d /m);

  const json = await runAdmin(dir.kv(), ["user:providers", "ann", "--json"]);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.hasPassword, false);
  assert.deepEqual(
    parsed.providers.map((p: { provider: string; login: string }) => [
      p.provider,
      p.login,
    ]),
    [["github", "ann-gh"]],
  );

  const none = await runAdmin(dir.kv(), ["user:providers", "bob"]);
  assert.equal(none.stdout, '"bob" has no password and no linked providers\n');
  const unknown = await runAdmin(dir.kv(), ["user:providers", "nobody"]);
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    'Cannot list the providers of "nobody": no such user\n',
  );
});

Deno.test("user:unlink removes one provider, refuses the last way to sign in, and user:passwd says what stays linked", async () => {
  await using dir = await tempDir();
  using db = await openKv(dir.kv());
  const ann = await db.createUser({ username: "ann" });
  await db.linkIdentity(ann.id, { provider: "github", subject: "7" });
  await db.linkIdentity(ann.id, { provider: "oidc", subject: "ann@example" });

  const unlinked = await runAdmin(dir.kv(), ["user:unlink", "ann", "github"]);
  assert.equal(unlinked.code, 0, unlinked.stderr);
  assert.equal(
    unlinked.stdout,
    'Unlinked github from "ann"; still linked: oidc (see user:unlink)\n',
  );
  assert.equal(await db.getUserIdByIdentity("github", "7"), null);

  const again = await runAdmin(dir.kv(), ["user:unlink", "ann", "github"]);
  assert.equal(again.code, 1);
  assert.equal(
    again.stderr,
    'Cannot unlink github from "ann": github is not linked\n',
  );

  const last = await runAdmin(dir.kv(), ["user:unlink", "ann", "oidc"]);
  assert.equal(last.code, 1);
  assert.match(last.stderr, /only way to sign in \(set a password first/);
  assert.equal(await db.getUserIdByIdentity("oidc", "ann@example"), ann.id);

  const passwd = await runAdmin(
    dir.kv(),
    ["user:passwd", "ann"],
    "new password 1\n",
  );
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.match(passwd.stdout, /; still linked: oidc \(see user:unlink\)\n$/);
  const now = await runAdmin(dir.kv(), ["user:unlink", "ann", "oidc"]);
  assert.equal(now.code, 0, now.stderr);
  assert.equal(now.stdout, 'Unlinked oidc from "ann"; no providers linked\n');

  const usage = await runAdmin(dir.kv(), ["user:unlink", "ann"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^Missing argument <provider>/);
});
