/** Helpers for the status, presence, typing and settings tests. */
import assert from "node:assert/strict";
import { messagesPath, type TestClient } from "./helpers.ts";

/** Waits until `check` returns a truthy value (bounded), polling; returns that value. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Msg {
  id: string;
  text: string;
  from: string;
  status?: string;
}

/** Sends a message through the API; 201 expected. */
export async function send(client: TestClient, to: string, text: string) {
  const res = await client.postJson(messagesPath(to), { text });
  assert.equal(res.status, 201);
  return (await res.json()).message as Msg;
}

/** The newest page of the conversation with `peer`, as `client` sees it. */
export async function page(client: TestClient, peer: string): Promise<Msg[]> {
  const res = await client.fetch(messagesPath(peer));
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

/** The status of one message as its sender sees it. */
export async function statusOf(
  sender: TestClient,
  peer: string,
  id: string,
): Promise<string | undefined> {
  return (await page(sender, peer)).find((m) => m.id === id)?.status;
}

/** Marks read up to `upTo`; 204 expected. */
export async function read(client: TestClient, peer: string, upTo: string) {
  const res = await client.postJson(
    `/api/conversations/${encodeURIComponent(peer)}/read`,
    { upTo },
  );
  assert.equal(res.status, 204);
}

/** PUTs settings; returns the response. */
export function putSettings(client: TestClient, body: unknown) {
  return client.fetch("/api/settings", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** `GET /api/users/:username/presence` as `client`. */
export async function presenceOf(client: TestClient, username: string) {
  const res = await client.fetch(
    `/api/users/${encodeURIComponent(username)}/presence`,
  );
  assert.equal(res.status, 200);
  return await res.json() as { online: boolean; lastSeen: string | null };
}

/** Posts a typing notice to `peer`; returns the status. */
export async function typing(client: TestClient, peer: string) {
  const res = await client.fetch(
    `/api/conversations/${encodeURIComponent(peer)}/typing`,
    { method: "POST" },
  );
  await res.body?.cancel();
  return res;
}

// deno-lint-ignore no-explicit-any
export type AnyEvent = { type: string; id?: string } & Record<string, any>;

/** An open event stream: the events it delivered so far (with their SSE `id:`, if any). */
export async function openStream(client: TestClient) {
  const res = await client.fetch("/api/events/stream");
  assert.equal(res.status, 200);
  const events: AnyEvent[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split("\n")) {
            const i = line.indexOf(": ");
            if (i > 0 && !line.startsWith(":")) {
              fields[line.slice(0, i)] = line.slice(i + 2);
            }
          }
          if (fields.data) {
            events.push({ ...JSON.parse(fields.data), id: fields.id });
          }
        }
      }
    } catch {
      // Cancelled.
    }
  })();
  return {
    events,
    async close() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}
