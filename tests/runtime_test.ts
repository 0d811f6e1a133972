import assert from "node:assert/strict";
import { startSession } from "../server/auth.ts";
import { decodeCursor, encodeCursor } from "../lib/cursor.ts";
import { Db } from "../lib/db/db.ts";
import { DomainError } from "../lib/errors.ts";
import { generateManifest } from "../runtime/build/manifest.ts";
import { compareRoutes, routePattern } from "../runtime/server/routes.ts";
import { serializeProps } from "../runtime/server/serialize.ts";
import { isSafeRedirectPath } from "../server/http.ts";
import { PROJECT_ROOT } from "../server/serve.ts";
import { loadConfig } from "../fresh.config.ts";

Deno.test("routePattern() maps route files to URL patterns as Fresh does", () => {
  assert.equal(routePattern("./routes/index.tsx"), "/");
  assert.equal(routePattern("./routes/users.tsx"), "/users");
  assert.equal(routePattern("./routes/chat/[username].tsx"), "/chat/:username");
  assert.equal(
    routePattern("./routes/api/conversations/[username]/messages.ts"),
    "/api/conversations/:username/messages",
  );
  assert.equal(routePattern("./routes/settings/index.tsx"), "/settings");
});

Deno.test("compareRoutes() puts static segments before dynamic ones", () => {
  const sorted = ["/chat/:username", "/chat/new", "/:page", "/users"].sort(
    compareRoutes,
  );
  assert.deepEqual(
    sorted.indexOf("/chat/new") < sorted.indexOf("/chat/:username"),
    true,
  );
  assert.deepEqual(sorted.indexOf("/users") < sorted.indexOf("/:page"), true);
});

Deno.test("fresh.gen.ts lists exactly the routes and islands on disk", async () => {
  const onDisk = await Deno.readTextFile(`${PROJECT_ROOT}/fresh.gen.ts`);
  assert.equal(
    onDisk,
    await generateManifest(PROJECT_ROOT),
    "run `deno task build`",
  );
});

Deno.test("serializeProps() never lets user text close a script tag", () => {
  const text = "</script><script>alert(1)</script>\u2028&";
  const json = serializeProps({ text });
  assert.ok(!/[<>&\u2028]/.test(json));
  assert.equal(JSON.parse(json).text, text);
});

Deno.test("isSafeRedirectPath() accepts only same-site paths", () => {
  for (const ok of ["/users", "/chat/bob?x=1", "/"]) {
    assert.equal(isSafeRedirectPath(ok), true, ok);
  }
  for (
    const bad of [
      "https://evil.example",
      "//evil.example",
      "/\\evil",
      "users",
      "",
      undefined,
    ]
  ) {
    assert.equal(isSafeRedirectPath(bad), false, String(bad));
  }
});

Deno.test("cursors round-trip and anything else is a 400 bad_cursor", () => {
  for (const seq of [0, 1, 42, 9_007_199_254]) {
    assert.equal(decodeCursor(encodeCursor(seq)), seq);
  }
  for (
    const bad of [
      "",
      "abc",
      encodeCursor(1) + "x",
      btoa("m1.-1"),
      btoa("m1.01"),
    ]
  ) {
    assert.throws(
      () => decodeCursor(bad),
      (e) => e instanceof DomainError && e.kind === "bad_request",
    );
  }
});

Deno.test("session cookies are Secure when the site is served over https", async () => {
  const db = await Db.open(":memory:");
  try {
    const user = await db.createUser({ username: "secure_user" });
    const https = await startSession(db, user, { secure: true });
    assert.match(https, /^__Host-natter_session=/);
    assert.match(https, /; Secure/);
    const http = await startSession(db, user, { secure: false });
    assert.match(http, /^natter_session=/);
    assert.doesNotMatch(http, /Secure/);
  } finally {
    db.close();
  }
});

Deno.test("loadConfig() applies the documented defaults and validates values", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.kvPath, "data/natter.sqlite3");
  assert.equal(
    loadConfig({ DENO_DEPLOYMENT_ID: "x" }).kvPath,
    undefined,
    "Deploy's own KV",
  );
  assert.equal(loadConfig({ DENO_KV_PATH: ":memory:" }).kvPath, ":memory:");
  assert.throws(() => loadConfig({ PORT: "eighty" }), /PORT/);
  assert.throws(() => loadConfig({ PORT: "" }), /PORT=""/);
});
