import assert from "node:assert/strict";
import {
  messagesPath,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";
import { startServer } from "../server/serve.ts";
import { loadConfig } from "../fresh.config.ts";

interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE blocks from a response body as they arrive. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<SseBlock | null> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const block: SseBlock = {};
          for (const line of raw.split("\n")) {
            if (line.startsWith(":")) block.comment = line.slice(1).trim();
            else {
              const i = line.indexOf(": ");
              (block as Record<string, string>)[line.slice(0, i)] = line.slice(
                i + 2,
              );
            }
          }
          return block;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += value;
      }
    },
    /** The next block that is an event (skipping comments). */
    async nextEvent(): Promise<SseBlock | null> {
      for (;;) {
        const block = await this.next();
        if (!block || block.event) return block;
      }
    },
    cancel: () => reader.cancel(),
  };
}

async function send(client: TestClient, to: string, text: string) {
  const res = await client.postJson(messagesPath(to), { text });
  assert.equal(res.status, 201);
  return (await res.json()).message as { id: string };
}

Deno.test("the event stream delivers each message with id, event and data, and resumes from Last-Event-ID", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const res = await bob.fetch("/api/events/stream");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.match(res.headers.get("cache-control") ?? "", /no-store/);
  assert.equal(res.headers.get("content-encoding"), null);
  const stream = sseReader(res);
  const opening = await stream.next() as { comment?: string; retry?: string };
  assert.equal(opening?.comment, "connected");
  // A reconnect delay of its own, so a restart does not bring every browser back at once.
  const retry = Number(opening?.retry);
  assert.ok(retry >= 1000 && retry <= 4000, `retry: ${opening?.retry}`);
  await send(alice, bobName, "first");
  const first = await stream.nextEvent();
  assert.equal(first?.event, "message");
  const body = JSON.parse(first!.data!);
  assert.equal(body.message.text, "first");
  assert.equal(body.conversation.peer, aliceName);
  assert.equal(typeof first?.id, "string");
  await stream.cancel();

  await send(alice, bobName, "second");
  await send(alice, bobName, "third");
  const resumed = sseReader(
    await bob.fetch("/api/events/stream", {
      headers: { "last-event-id": first!.id! },
    }),
  );
  const texts = [];
  for (let i = 0; i < 2; i++) {
    texts.push(JSON.parse((await resumed.nextEvent())!.data!).message.text);
  }
  assert.deepEqual(texts, ["second", "third"]);
  await resumed.cancel();
});

Deno.test("the event stream sends a keep-alive comment when nothing happens", async () => {
  const server = await startServer(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DENO_KV_PATH: ":memory:",
      LOG_REQUESTS: "0",
    }),
    { quiet: true, streamHeartbeatMs: 50 },
  );
  try {
    const { bob } = await registerPair(server.url);
    const stream = sseReader(await bob.fetch("/api/events/stream"));
    assert.equal((await stream.next())?.comment, "connected");
    assert.equal((await stream.next())?.comment, "keep-alive");
    await stream.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("the event stream ends cleanly when the server shuts down", async () => {
  const server = await startTestServer();
  const { bob } = await registerPair(server.url);
  const stream = sseReader(await bob.fetch("/api/events/stream"));
  assert.equal((await stream.next())?.comment, "connected");
  const stopping = server.shutdown();
  assert.equal(await stream.nextEvent(), null, "the body ends");
  await stopping;
});

Deno.test("a read in one tab reaches the other tab's stream as a read event", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const m = await send(alice, bobName, "read me");
  const stream = sseReader(await bob.fetch("/api/events/stream"));
  const res = await bob.postJson(
    `/api/conversations/${aliceName}/read`,
    { upTo: m.id },
  );
  assert.equal(res.status, 204);
  const event = await stream.nextEvent();
  assert.equal(event?.event, "read");
  const body = JSON.parse(event!.data!);
  assert.equal(body.upTo, m.id);
  assert.equal(body.conversation.unread, 0);
  await stream.cancel();
});
