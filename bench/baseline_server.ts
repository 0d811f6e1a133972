/**
 * The benchmark's baseline: a bare `Deno.serve` speaking the same API as Natter to the
 * same client, doing the least a long-polling chat server can: one `kv.get` per request
 * (the session, by the hash of the cookie's token), messages and waiters in memory, no
 * framework, no middleware, no writes. Natter's figures divided by these are its overhead.
 * It also holds `GET /api/events/stream` (one SSE stream per person, message events only)
 * for the inbox rows: the runtime's own cost of holding thousands of streams.
 *
 * It opens KV itself, which app code never does (lib/db.ts is the only module allowed
 * to): measuring the floor means leaving our layers out. Keys still come from `keys`.
 */
import { hashSessionToken, readSessionToken } from "../server/auth.ts";
import { keys, type Session } from "../lib/db/db.ts";

interface Message {
  id: string;
  from: string;
  to: string;
  text: string;
  sentAt: string;
}

interface Conversation {
  messages: Message[];
  waiters: Set<() => void>;
}

const kv = await Deno.openKv(Deno.env.get("DENO_KV_PATH"));
const conversations = new Map<string, Conversation>();
const PATH = /^\/api\/conversations\/([^/]+)\/messages$/;
const STREAM_PATH = "/api/events/stream";
/** Held event streams by username: the floor for "hold an SSE stream per person". */
const streams = new Map<
  string,
  Set<ReadableStreamDefaultController<Uint8Array>>
>();
const encoder = new TextEncoder();

function openStream(me: string): Response {
  let held: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      held = controller;
      let set = streams.get(me);
      if (!set) streams.set(me, set = new Set());
      set.add(controller);
      controller.enqueue(encoder.encode(": connected\n\n"));
    },
    cancel() {
      streams.get(me)?.delete(held);
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8" },
  });
}

function push(username: string, message: Message): void {
  const block = encoder.encode(
    `event: message\ndata: ${JSON.stringify({ type: "message", message })}\n\n`,
  );
  for (const controller of streams.get(username) ?? []) {
    controller.enqueue(block);
  }
}

function conversation(a: string, b: string): Conversation {
  const id = a < b ? `${a}|${b}` : `${b}|${a}`;
  let found = conversations.get(id);
  if (!found) {
    found = { messages: [], waiters: new Set() };
    conversations.set(id, found);
  }
  return found;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

async function handle(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const match = PATH.exec(url.pathname);
  const stream = url.pathname === STREAM_PATH;
  if (!match && !stream) return json({ error: { code: "not_found" } }, 404);
  const token = readSessionToken(req);
  const session = token
    ? (await kv.get<Session>(keys.session(await hashSessionToken(token))))
      .value
    : null;
  if (!session) return json({ error: { code: "unauthorized" } }, 401);
  const me = session.username;
  if (!match) return openStream(me);
  const peer = decodeURIComponent(match[1]);
  const chat = conversation(me, peer);
  if (req.method === "POST") {
    const { text } = await req.json();
    const message = {
      id: crypto.randomUUID(),
      from: me,
      to: peer,
      text,
      sentAt: new Date().toISOString(),
    };
    chat.messages.push(message);
    for (const wake of chat.waiters) wake();
    chat.waiters.clear();
    push(peer, message);
    push(me, message);
    return json({ message }, 201);
  }
  const after = Number(url.searchParams.get("after") ?? NaN);
  const wait = Number(url.searchParams.get("wait") ?? 0);
  if (Number.isNaN(after)) {
    return json({
      messages: chat.messages.slice(-50),
      cursor: String(chat.messages.length),
    });
  }
  if (chat.messages.length <= after && wait > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        chat.waiters.delete(wake);
        resolve();
      }, wait * 1000);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      chat.waiters.add(wake);
    });
  }
  return json({
    messages: chat.messages.slice(after, after + 50),
    cursor: String(Math.min(chat.messages.length, after + 50)),
  });
}

Deno.serve({
  port: Number(Deno.env.get("PORT") ?? 0),
  hostname: Deno.env.get("HOST") ?? "127.0.0.1",
  onListen: ({ hostname, port }) =>
    console.log(`Baseline is listening on http://${hostname}:${port}`),
}, handle);
