import assert from "node:assert/strict";
import {
  isRefusal,
  loadOutbox,
  type OutboxItem,
  saveOutbox,
} from "../client/outbox.ts";

Deno.test("a refused message is saved as refused and comes back failed, never queued for sending", () => {
  const key = `test.outbox.${crypto.randomUUID()}`;
  const items: OutboxItem[] = [
    { clientId: "a", text: "queued", status: "sending" },
    { clientId: "b", text: "refused", status: "failed", retryable: false },
    {
      clientId: "c",
      text: "network trouble",
      status: "failed",
      retryable: true,
    },
    { clientId: "d", text: "acknowledged", status: "sent", id: "m1" },
  ];
  saveOutbox(key, items);
  assert.deepEqual(loadOutbox(key), [
    { clientId: "a", text: "queued", status: "sending" },
    { clientId: "b", text: "refused", status: "failed", retryable: false },
    { clientId: "c", text: "network trouble", status: "sending" },
  ]);
  saveOutbox(key, []);
  assert.equal(localStorage.getItem(key), null);
});

Deno.test("isRefusal() is true for a 4xx that a retry cannot fix, false for 401, 408, 429 and 5xx", () => {
  for (const status of [400, 403, 404, 409, 413, 415, 422]) {
    assert.ok(isRefusal(status), String(status));
  }
  for (const status of [200, 401, 408, 429, 500, 502, 503]) {
    assert.ok(!isRefusal(status), String(status));
  }
});
