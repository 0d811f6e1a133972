/**
 * Login throttling against the real server: tokens are taken before the password hash
 * runs, failures count per account and per address, and a browser the owner has logged
 * in from keeps its own allowance (OWASP device cookies), so nobody can lock them out.
 */
import assert from "node:assert/strict";
import { passwordVerificationCount } from "../lib/passwords.ts";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";

async function wrongLogin(
  client: TestClient,
  username: string,
  headers: HeadersInit = {},
): Promise<Response> {
  const res = await client.postForm("/login", {
    username,
    password: "definitely-wrong",
  }, headers);
  await res.body?.cancel();
  return res;
}

Deno.test("25 parallel wrong guesses for one account: at most 10 passwords are hashed, the rest get 429 with Retry-After", async () => {
  await using server = await startTestServer();
  const name = await new TestClient(server.url).register();
  const before = passwordVerificationCount();
  const attacker = new TestClient(server.url);
  const responses = await Promise.all(
    Array.from({ length: 25 }, () => wrongLogin(attacker, name)),
  );
  const checked = passwordVerificationCount() - before;
  const refused = responses.filter((r) => r.status === 429);
  assert.ok(checked <= 10, `${checked} password checks ran`);
  assert.equal(responses.filter((r) => r.status === 401).length, checked);
  assert.ok(refused.length >= 15, `${refused.length} of 25 got 429`);
  for (const res of refused) {
    assert.match(res.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  }
});

Deno.test("failures count per account across addresses: of 14 addresses guessing one account at once, 10 are checked and 4 refused", async () => {
  // TRUST_PROXY lets the test speak for many addresses through X-Forwarded-For.
  await using server = await startTestServer({ TRUST_PROXY: "127.0.0.1" });
  const name = await new TestClient(server.url).register();
  // All at once, so the allowance (one more per 30 s) cannot refill between them.
  const responses = await Promise.all(
    Array.from(
      { length: 14 },
      (_, i) =>
        wrongLogin(new TestClient(server.url), name, {
          "x-forwarded-for": `198.51.100.${i + 1}`,
        }),
    ),
  );
  const refused = responses.filter((r) => r.status === 429);
  assert.equal(responses.filter((r) => r.status === 401).length, 10);
  assert.equal(refused.length, 4);
  for (const res of refused) assert.ok(res.headers.has("retry-after"));
});

Deno.test("one address spraying many accounts is throttled, and unknown usernames are hashed like known ones", async () => {
  await using server = await startTestServer({ TRUST_PROXY: "127.0.0.1" });
  const sprayer = { "x-forwarded-for": "203.0.113.7" };
  const before = passwordVerificationCount();
  // Unknown names: each still runs one (dummy) password check, so timing reveals nothing.
  const responses = await Promise.all(
    Array.from(
      { length: 36 },
      () => wrongLogin(new TestClient(server.url), randomUsername(), sprayer),
    ),
  );
  const checked = passwordVerificationCount() - before;
  const failed = responses.filter((r) => r.status === 401).length;
  assert.equal(failed, checked, "every 401 ran exactly one check");
  // 30 at once, plus at most one refilled (one per 10 s) if the machine is slow.
  assert.ok(failed >= 30 && failed <= 31, `${failed} checked`);
  assert.ok(responses.some((r) => r.status === 429));
  const elsewhere = await wrongLogin(
    new TestClient(server.url),
    randomUsername(),
    { "x-forwarded-for": "203.0.113.8" },
  );
  assert.equal(elsewhere.status, 401, "another address is not affected");
});

Deno.test("a browser the owner logged in from keeps its own allowance while the account is under attack", async () => {
  await using server = await startTestServer();
  const owner = new TestClient(server.url);
  const name = await owner.register();
  assert.equal((await owner.login(name)).status, 303);
  assert.ok(owner.cookies.has("natter_device"), "a device cookie is issued");
  const attacker = new TestClient(server.url);
  const attempts = await Promise.all(
    Array.from({ length: 12 }, () => wrongLogin(attacker, name)),
  );
  assert.ok(attempts.some((r) => r.status === 429));
  const newBrowser = new TestClient(server.url);
  assert.equal((await newBrowser.login(name)).status, 429);
  // The owner mistypes once, then gets in: their device bucket is untouched.
  assert.equal((await wrongLogin(owner, name)).status, 401);
  assert.equal((await owner.login(name)).status, 303);
});

Deno.test("a forged or another account's device cookie earns no allowance", async () => {
  await using server = await startTestServer();
  const owner = new TestClient(server.url);
  const name = await owner.register();
  const other = new TestClient(server.url);
  const otherName = await other.register();
  assert.equal((await other.login(otherName)).status, 303);
  const attacker = new TestClient(server.url);
  await Promise.all(
    Array.from({ length: 12 }, () => wrongLogin(attacker, name)),
  );
  const withOthersDevice = new TestClient(server.url);
  withOthersDevice.cookies.set(
    "natter_device",
    other.cookies.get("natter_device")!,
  );
  assert.equal((await wrongLogin(withOthersDevice, name)).status, 429);
  const forged = new TestClient(server.url);
  const [id, nonce] = other.cookies.get("natter_device")!.split(".");
  forged.cookies.set("natter_device", `${id}.${nonce}.${"A".repeat(43)}`);
  assert.equal((await wrongLogin(forged, name)).status, 429);
});
