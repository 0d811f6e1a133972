/**
 * Behind a proxy and against DNS rebinding: forwarded headers count only from TRUST_PROXY,
 * https sites get `__Host-` cookies and a year of HSTS, and the Host header is checked.
 * fetch() cannot set Host, so those requests go over a raw TCP socket.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../fresh.config.ts";
import { browserUrl, resolveClient } from "../server/client_info.ts";
import { inRanges, parseCidr, parseIp } from "../server/ip.ts";
import { isLoopbackHost } from "../server/middleware/host_check.ts";
import {
  randomUsername,
  startTestServer,
  TEST_PASSWORD,
  TestClient,
} from "./helpers.ts";

/** One HTTP/1.1 request with exactly these headers; returns status, headers and body. */
async function rawRequest(
  port: number,
  request: {
    method?: string;
    path?: string;
    headers: Record<string, string>;
    body?: string;
  },
): Promise<{ status: number; headers: Headers; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const body = request.body ?? "";
  const lines = [
    `${request.method ?? "GET"} ${request.path ?? "/login"} HTTP/1.1`,
    ...Object.entries({
      connection: "close",
      ...(body
        ? { "content-length": String(new TextEncoder().encode(body).length) }
        : {}),
      ...request.headers,
    }).map(([k, v]) => `${k}: ${v}`),
  ];
  await conn.write(
    new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n${body}`),
  );
  const text = new TextDecoder().decode(
    await new Response(conn.readable).arrayBuffer(),
  );
  const [head, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...headerLines] = head.split("\r\n");
  const headers = new Headers();
  for (const line of headerLines) {
    const i = line.indexOf(":");
    headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const payload = rest.join("\r\n\r\n");
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    // Deno 2.5 answers chunked where newer versions send a Content-Length.
    body: /chunked/i.test(headers.get("transfer-encoding") ?? "")
      ? dechunk(payload)
      : payload,
  };
}

/** The payload of a chunked HTTP/1.1 body (ASCII test bodies: lengths count characters). */
function dechunk(raw: string): string {
  let out = "";
  for (let at = 0;;) {
    const eol = raw.indexOf("\r\n", at);
    const size = parseInt(raw.slice(at, eol), 16);
    if (!size) return out;
    out += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

function registerForm(username: string): string {
  return new URLSearchParams({
    username,
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  }).toString();
}

Deno.test("parseCidr() and inRanges() handle IPv4, IPv6 and IPv4-mapped addresses", () => {
  const ranges = ["10.0.0.0/8", "fd00::/8", "192.0.2.1", "2001:db8::1"].map(
    (r) => parseCidr(r)!,
  );
  assert.ok(inRanges("10.1.2.3", ranges));
  assert.ok(inRanges("::ffff:10.9.9.9", ranges));
  assert.ok(inRanges("fd12:3456::1", ranges));
  assert.ok(inRanges("192.0.2.1", ranges));
  assert.ok(inRanges("2001:DB8:0:0:0:0:0:1", ranges));
  assert.ok(!inRanges("11.0.0.1", ranges));
  assert.ok(!inRanges("192.0.2.2", ranges));
  assert.ok(!inRanges("fe80::1", ranges));
  assert.ok(!inRanges("not-an-ip", ranges));
  for (
    const bad of ["10.0.0.0/33", "1.2.3", "::1::2", "fd00::/129", "x/8", ""]
  ) {
    assert.equal(parseCidr(bad), null, bad);
  }
  assert.equal(parseIp("[::1]"), 1n);
});

Deno.test("resolveClient() believes X-Forwarded-For and -Proto only from trusted proxies, taking the rightmost untrusted hop", () => {
  const trustProxy = [parseCidr("10.0.0.0/8")!, parseCidr("::1")!];
  const req = new Request("http://chat.example.com/", {
    headers: {
      "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2",
      "x-forwarded-proto": "https",
    },
  });
  assert.deepEqual(resolveClient(req, "10.0.0.1", { trustProxy }), {
    address: "203.0.113.9",
    secure: true,
  });
  assert.deepEqual(resolveClient(req, "::1", { trustProxy }), {
    address: "203.0.113.9",
    secure: true,
  });
  assert.deepEqual(resolveClient(req, "198.51.100.1", { trustProxy }), {
    address: "198.51.100.1",
    secure: false,
  });
  assert.deepEqual(resolveClient(req, "10.0.0.1", { trustProxy: [] }), {
    address: "10.0.0.1",
    secure: false,
  });
  assert.equal(
    resolveClient(new Request("http://x/"), "10.0.0.1", {
      trustProxy: [],
      publicUrl: "https://chat.example.com",
    }).secure,
    true,
  );
});

Deno.test("browserUrl() is https when the browser's connection is secure", () => {
  const url = new URL("http://chat.example.com/auth/oidc/signin?x=1");
  assert.equal(browserUrl(url, false), url);
  assert.equal(
    browserUrl(url, true).href,
    "https://chat.example.com/auth/oidc/signin?x=1",
  );
});

Deno.test("loadConfig() reads TRUST_PROXY as a list and names a bad entry", () => {
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.equal(
    loadConfig({ TRUST_PROXY: "127.0.0.1, ::1, 10.0.0.0/8" }).trustProxy.length,
    3,
  );
  assert.throws(
    () => loadConfig({ TRUST_PROXY: "127.0.0.1,proxy.local" }),
    /TRUST_PROXY[\s\S]*"proxy\.local" is not an IP address or CIDR range/,
  );
});

Deno.test("behind a trusted proxy saying https, the session cookie is __Host-, Secure, Path=/ without Domain, and HSTS lasts a year", async () => {
  await using server = await startTestServer({ TRUST_PROXY: "127.0.0.1" });
  const client = new TestClient(server.url);
  const res = await client.postForm("/register", {
    username: randomUsername(),
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  }, { "x-forwarded-proto": "https" });
  await res.body?.cancel();
  assert.equal(res.status, 303);
  const cookie = res.headers.getSetCookie().find((c) =>
    c.startsWith("__Host-natter_session=")
  );
  assert.ok(cookie, res.headers.getSetCookie().join(" | "));
  assert.match(cookie, /; Secure/);
  assert.match(cookie, /; Path=\//);
  assert.doesNotMatch(cookie, /Domain=/i);
  const hsts = res.headers.get("strict-transport-security") ?? "";
  assert.ok(Number(/max-age=(\d+)/.exec(hsts)?.[1]) >= 31536000, hsts);
  // The session works over the same proxy, and only under its __Host- name.
  const users = await client.fetch("/users", {
    headers: { "x-forwarded-proto": "https" },
  });
  await users.body?.cancel();
  assert.equal(users.status, 200);
});

Deno.test("X-Forwarded-Proto from an untrusted peer changes nothing: no Secure, no __Host-, no HSTS", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const res = await client.postForm("/register", {
    username: randomUsername(),
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  }, { "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.1" });
  await res.body?.cancel();
  const cookies = res.headers.getSetCookie();
  assert.ok(cookies.some((c) => c.startsWith("natter_session=")));
  assert.ok(!cookies.some((c) => /Secure/.test(c)));
  assert.equal(res.headers.get("strict-transport-security"), null);
});

Deno.test("with PUBLIC_URL on https only its host is served, with __Host- cookies and HSTS", async () => {
  await using server = await startTestServer({
    PUBLIC_URL: "https://chat.example.com",
  });
  const ok = await rawRequest(server.port, {
    method: "POST",
    path: "/register",
    headers: {
      host: "chat.example.com",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: registerForm(randomUsername()),
  });
  assert.equal(ok.status, 303);
  assert.match(
    ok.headers.get("set-cookie") ?? "",
    /^__Host-natter_session=.*; Secure/,
  );
  assert.match(
    ok.headers.get("strict-transport-security") ?? "",
    /max-age=31536000/,
  );
  for (
    const host of ["evil.example", "127.0.0.1", "chat.example.com.evil.example"]
  ) {
    const refused = await rawRequest(server.port, { headers: { host } });
    assert.equal(refused.status, 400, host);
    assert.match(refused.body, /only answers for chat\.example\.com/);
  }
});

Deno.test("without PUBLIC_URL a loopback server refuses non-loopback Host names (DNS rebinding)", async () => {
  await using server = await startTestServer();
  for (
    const host of [
      `localhost:${server.port}`,
      `127.0.0.1:${server.port}`,
      `[::1]:${server.port}`,
    ]
  ) {
    const res = await rawRequest(server.port, { headers: { host } });
    assert.equal(res.status, 200, host);
  }
  for (
    const host of [
      "evil.example",
      `rebind.evil.example:${server.port}`,
      "192.168.1.5",
    ]
  ) {
    const res = await rawRequest(server.port, { headers: { host } });
    assert.equal(res.status, 400, host);
    assert.match(res.body, /only answers for localhost/);
  }
  const api = await rawRequest(server.port, {
    path: "/api/conversations/x/messages",
    headers: { host: "evil.example" },
  });
  assert.equal(api.status, 400);
  assert.equal(JSON.parse(api.body).error.code, "unknown_host");
});

Deno.test("isLoopbackHost() accepts loopback names only", () => {
  for (
    const host of [
      "localhost",
      "LOCALHOST:80",
      "app.localhost",
      "127.0.0.1",
      "127.9.9.9:8000",
      "[::1]:8000",
      "[::1]",
    ]
  ) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (
    const host of [
      "",
      "evil.example",
      "localhost.evil.example",
      "10.0.0.1",
      "[::2]",
      "127.0.0.1.nip.io",
    ]
  ) {
    assert.ok(!isLoopbackHost(host), host);
  }
});
