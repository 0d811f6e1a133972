import assert from "node:assert/strict";
import { Hono } from "hono";
import { asDomainError, statusOf } from "../errors.ts";
import { readBody } from "./read_body.ts";

/** An app whose POST /echo answers with the JSON it was sent, behind readBody(). */
function appWith(deadlineMs: number) {
  const app = new Hono();
  app.onError((error, c) => {
    const domain = asDomainError(error);
    return c.json({ code: domain.code }, statusOf(domain));
  });
  app.use("*", readBody({ limitFor: () => 100, deadlineMs }));
  app.post("/echo", async (c) => c.json(await c.req.json()));
  return app;
}

/** A body that sends `first` and then nothing, never ending (a client trickling bytes). */
function stalled(first: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
  });
}

Deno.test("readBody() passes a whole body on to the route", async () => {
  const res = await appWith(1000).request("/echo", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: "hi" }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { text: "hi" });
});

Deno.test("readBody() answers 408 when the body does not arrive in time", async () => {
  const res = await appWith(50).request("/echo", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stalled('{"text":'),
    duplex: "half",
  } as RequestInit);
  assert.equal(res.status, 408);
  assert.deepEqual(await res.json(), { code: "body_timeout" });
});

Deno.test("readBody() answers 413 past the limit, declared or streamed", async () => {
  const big = JSON.stringify({ text: "x".repeat(200) });
  const declared = await appWith(1000).request("/echo", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: big,
  });
  assert.equal(declared.status, 413);
  const streamed = await appWith(1000).request("/echo", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stalled(big),
    duplex: "half",
  } as RequestInit);
  assert.equal(streamed.status, 413);
  assert.deepEqual(await streamed.json(), { code: "payload_too_large" });
});
