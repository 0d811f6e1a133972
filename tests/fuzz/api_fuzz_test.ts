/**
 * Fuzzes the messages API: hostile peer names, query strings, JSON bodies (every shape),
 * content types and cookies. Every error must be the JSON envelope; a refusal stores nothing.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  encodeAny,
  hostileContentType,
  hostileCookie,
  hostileJsonBody,
  hostileUrlPart,
} from "./arbitraries.ts";
import {
  assertStillUp,
  check,
  fuzz,
  send,
  startFuzzServer,
} from "./harness.ts";
import { messagesPath } from "../helpers.ts";

const api = (peer: string) => `/api/conversations/${peer}/messages`;

Deno.test("fuzz: GET messages with hostile peer, after, limit and wait answers JSON, never 5xx", async () => {
  await using server = await startFuzzServer();
  const peer = fc.oneof(fc.constant(server.bobName), hostileUrlPart);
  // A real cursor with a positive wait would hold the request for up to 25 s: legitimate,
  // but not what this test measures, so hostile waits are never a number in (0, 25].
  const wait = hostileUrlPart.filter((w) => {
    const n = Number(new URLSearchParams(`w=${w}`).get("w"));
    return !(n > 0 && n <= 25);
  });
  const query = fc.record({
    after: fc.oneof(hostileUrlPart, fc.constantFrom("MA", "MQ", "AAAA", "-1")),
    limit: fc.oneof(
      hostileUrlPart,
      fc.constantFrom("0", "1", "100", "101", "1e3", "NaN", "-0", "0x10"),
    ),
    wait,
  }, { requiredKeys: [] });
  await fuzz(
    "api GET",
    [peer, query, fc.option(hostileCookie)],
    async (name, params, cookie) => {
      const search = Object.entries(params)
        .map(([k, v]) => `${encodeAny(k)}=${v}`)
        .join("&");
      const path = `${api(name)}?${search}`;
      const jar = cookie
        ? `${server.aliceCookie}; ${cookie}`
        : server.aliceCookie;
      await check(
        server,
        `GET ${path}`,
        () => send(server, path, { cookie: jar }),
      );
    },
  );
  await assertStillUp(server);
});

Deno.test("fuzz: POST messages with hostile JSON, content types and peers is refused with the envelope and stores nothing", async () => {
  await using server = await startFuzzServer();
  const peer = fc.oneof(
    { weight: 3, arbitrary: fc.constant(server.bobName) },
    { weight: 1, arbitrary: hostileUrlPart },
  );
  const type = fc.oneof(
    { weight: 3, arbitrary: fc.constant("application/json") },
    { weight: 1, arbitrary: hostileContentType },
  );
  const before = await (await server.alice.fetch(messagesPath(server.bobName)))
    .json();
  let accepted = 0;
  await fuzz(
    "api POST",
    [peer, hostileJsonBody, type, fc.option(hostileCookie)],
    async (name, body, contentType, cookie) => {
      const path = api(name);
      const jar = cookie
        ? `${server.aliceCookie}; ${cookie}`
        : server.aliceCookie;
      await check(server, `POST ${path} ${body.slice(0, 200)}`, async () => {
        const res = await send(server, path, {
          method: "POST",
          cookie: jar,
          headers: contentType ? { "content-type": contentType } : {},
          body,
        });
        if (res.status === 201) accepted++;
        return res;
      });
    },
  );
  // Whatever was accepted is exactly what is stored, and reads back as valid text.
  const after = await (await server.alice.fetch(
    `${messagesPath(server.bobName)}?limit=100`,
  )).json();
  assert.equal(after.messages.length, before.messages.length + accepted);
  for (const message of after.messages) {
    assert.ok(message.text.isWellFormed());
    // deno-lint-ignore no-control-regex -- the controls are what must not be stored
    assert.doesNotMatch(message.text, /[\0-\x08\x0b-\x1f\x7f-\x9f]/);
  }
  await assertStillUp(server);
});

Deno.test("fuzz: the API without a session or with a hostile one answers 401 JSON and stores nothing", async () => {
  await using server = await startFuzzServer();
  await fuzz(
    "api unauthenticated",
    [
      fc.oneof(fc.constant(server.bobName), hostileUrlPart),
      fc.constantFrom("GET", "POST"),
      fc.option(hostileCookie),
    ],
    async (name, method, cookie) => {
      const path = api(name);
      await check(server, `${method} ${path}`, async () => {
        const res = await send(server, path, {
          method,
          cookie: cookie ?? undefined,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? '{"text":"hi"}' : undefined,
        });
        assert.equal(res.status, 401);
        return res;
      });
    },
    30,
  );
});
