import assert from "node:assert/strict";
import { Hono } from "hono";
import { asDomainError } from "../errors.ts";
import { jsonError } from "../http.ts";
import { csrf } from "./csrf.ts";

/** An app with only csrf() in front of one route that counts the requests reaching it. */
function appWith(options: { publicUrl?: string } = {}) {
  const app = new Hono();
  const reached = { count: 0 };
  app.onError((err) => jsonError(asDomainError(err)));
  app.use("*", csrf(options));
  app.all("/form", (c) => {
    reached.count++;
    return c.text("ok");
  });
  return { app, reached };
}

async function assertRefused(res: Response, label: string): Promise<void> {
  assert.equal(res.status, 403, label);
  assert.equal((await res.json()).error.code, "cross_origin", label);
}

Deno.test("an unsafe request marked Sec-Fetch-Site: cross-site is refused with 403 before the route runs", async () => {
  const { app, reached } = appWith();
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    const res = await app.request("http://localhost:8000/form", {
      method,
      headers: { host: "localhost:8000", "sec-fetch-site": "cross-site" },
    });
    await assertRefused(res, method);
  }
  // Even an Origin that looks right does not outweigh the browser's own verdict.
  const res = await app.request("http://localhost:8000/form", {
    method: "POST",
    headers: {
      host: "localhost:8000",
      origin: "http://localhost:8000",
      "sec-fetch-site": "cross-site",
    },
  });
  await assertRefused(res, "cross-site with a matching Origin");
  assert.equal(reached.count, 0);
});

Deno.test("an unsafe request from another origin, Origin: null or a malformed Origin is refused with 403", async () => {
  const { app, reached } = appWith();
  for (
    const origin of [
      "https://evil.example",
      "http://localhost:9999",
      "http://localhost.evil.example:8000",
      "null",
      "not a url",
    ]
  ) {
    const res = await app.request("http://localhost:8000/form", {
      method: "POST",
      headers: { host: "localhost:8000", origin },
    });
    await assertRefused(res, origin);
  }
  assert.equal(reached.count, 0);
});

Deno.test("same-origin posts and requests without Origin or Sec-Fetch-Site (curl, scripts) pass", async () => {
  const { app, reached } = appWith();
  for (
    const headers of <Record<string, string>[]> [
      { origin: "http://localhost:8000" },
      { origin: "http://localhost:8000", "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "none" },
      {},
    ]
  ) {
    const res = await app.request("http://localhost:8000/form", {
      method: "POST",
      headers: { host: "localhost:8000", ...headers },
    });
    assert.equal(res.status, 200, JSON.stringify(headers));
    await res.body?.cancel();
  }
  assert.equal(reached.count, 5);
});

Deno.test("GET, HEAD and OPTIONS pass even when cross-site: they must not change anything", async () => {
  const { app, reached } = appWith();
  for (const method of ["GET", "HEAD", "OPTIONS"]) {
    const res = await app.request("http://localhost:8000/form", {
      method,
      headers: {
        host: "localhost:8000",
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
    });
    assert.equal(res.status, 200, method);
    await res.body?.cancel();
  }
  assert.equal(reached.count, 3);
});

Deno.test("with PUBLIC_URL only its exact origin may post, whatever Host the proxy passes on", async () => {
  const { app, reached } = appWith({
    publicUrl: "https://chat.example.com/",
  });
  // Behind a proxy the Host may be the internal address; the public origin still counts.
  const ok = await app.request("http://127.0.0.1:8000/form", {
    method: "POST",
    headers: { host: "127.0.0.1:8000", origin: "https://chat.example.com" },
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  for (
    const [host, origin] of [
      // Same host, other scheme: http pages of the site must not post to the https one.
      ["chat.example.com", "http://chat.example.com"],
      // The request's own host no longer counts once PUBLIC_URL is set.
      ["127.0.0.1:8000", "http://127.0.0.1:8000"],
      ["chat.example.com", "https://chat.example.com:8443"],
      ["chat.example.com", "https://evil.example"],
    ]
  ) {
    const res = await app.request(`http://${host}/form`, {
      method: "POST",
      headers: { host, origin },
    });
    await assertRefused(res, `${origin} to ${host}`);
  }
  assert.equal(reached.count, 1);
});
