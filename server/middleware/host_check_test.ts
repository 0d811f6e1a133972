import assert from "node:assert/strict";
import { Hono } from "hono";
import { asDomainError } from "../errors.ts";
import { jsonError } from "../http.ts";
import { hostCheck, isLoopbackHost } from "./host_check.ts";

/** An app with only hostCheck() in front of one route; errors become the API's JSON envelope. */
function appWith(options: { publicUrl?: string; listenHost: string }) {
  const app = new Hono();
  app.onError((err) => jsonError(asDomainError(err)));
  app.use("*", hostCheck(options));
  app.get("/", (c) => c.text("ok"));
  return app;
}

/** The status for a GET whose Host is `host` (Deno.serve puts the Host into the URL). */
async function statusFor(app: Hono, host: string): Promise<number> {
  const res = await app.request(`http://${host}/`);
  if (res.status === 400) {
    assert.equal((await res.json()).error.code, "unknown_host", host);
  } else {
    await res.body?.cancel();
  }
  return res.status;
}

const LOOPBACK_NAMES = [
  "localhost",
  "localhost:8000",
  "LOCALHOST:8000",
  "app.localhost:8000",
  "127.0.0.1:8000",
  "127.1.2.3",
  "[::1]:8000",
];
const OTHER_NAMES = [
  "evil.example",
  "rebind.evil.example:8000",
  "localhost.evil.example",
  "192.168.1.5:8000",
  "10.0.0.1",
  "[::2]:8000",
];

Deno.test("a server listening on loopback answers loopback names and refuses any other Host with 400", async () => {
  for (const listenHost of ["127.0.0.1", "localhost", "::1"]) {
    const app = appWith({ listenHost });
    for (const host of LOOPBACK_NAMES) {
      assert.equal(await statusFor(app, host), 200, `${listenHost}: ${host}`);
    }
    for (const host of OTHER_NAMES) {
      assert.equal(await statusFor(app, host), 400, `${listenHost}: ${host}`);
    }
  }
});

Deno.test("a server listening on all interfaces without PUBLIC_URL answers any Host", async () => {
  for (const listenHost of ["0.0.0.0", "::"]) {
    const app = appWith({ listenHost });
    for (const host of [...LOOPBACK_NAMES, ...OTHER_NAMES]) {
      assert.equal(await statusFor(app, host), 200, `${listenHost}: ${host}`);
    }
  }
});

Deno.test("with PUBLIC_URL only its host is answered, loopback names included in the refusal", async () => {
  for (const listenHost of ["127.0.0.1", "0.0.0.0"]) {
    const app = appWith({
      publicUrl: "https://chat.example.com",
      listenHost,
    });
    assert.equal(await statusFor(app, "chat.example.com"), 200);
    assert.equal(await statusFor(app, "CHAT.example.com"), 200);
    for (
      const host of [
        "localhost:8000",
        "127.0.0.1:8000",
        "evil.example",
        "chat.example.com.evil.example",
        "chat.example.com:8443",
      ]
    ) {
      assert.equal(await statusFor(app, host), 400, `${listenHost}: ${host}`);
    }
  }
});

Deno.test("a PUBLIC_URL with a port is matched with that port", async () => {
  const app = appWith({
    publicUrl: "https://chat.example.com:8443/",
    listenHost: "0.0.0.0",
  });
  assert.equal(await statusFor(app, "chat.example.com:8443"), 200);
  assert.equal(await statusFor(app, "chat.example.com"), 400);
});

Deno.test("the refusal names what the server does answer for", async () => {
  const loopback = await appWith({ listenHost: "127.0.0.1" }).request(
    "http://evil.example/",
  );
  assert.match(
    (await loopback.json()).error.message,
    /only answers for localhost/,
  );
  const pub = await appWith({
    publicUrl: "https://chat.example.com",
    listenHost: "127.0.0.1",
  }).request("http://evil.example/");
  assert.match(
    (await pub.json()).error.message,
    /only answers for chat\.example\.com \(PUBLIC_URL\)/,
  );
});

Deno.test("isLoopbackHost() takes a bare IPv6 loopback address as HOST names it", () => {
  for (const host of ["::1", "0:0:0:0:0:0:0:1", "[::1]", "[::1]:8000"]) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ["::", "::2", "fe80::1", "[::]:8000"]) {
    assert.ok(!isLoopbackHost(host), host);
  }
});
