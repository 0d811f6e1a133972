/**
 * The inbox benchmark's simulated people: every one holds `GET /api/events/stream` (as the
 * island does) and, in pairs, they send to each other at a set total rate. Delivery latency
 * runs from the moment a send is accepted (its 201 arrives) to the moment the partner's
 * stream carries that message, both on this process's clock.
 */
import type { BenchUser } from "./seed.ts";

/** What one inbox run measured. */
export interface InboxLoadResult {
  latenciesMs: number[];
  /** Each send's round trip (POST to 201): where delivery time is not the inbox's. */
  sendMs: number[];
  sent: number;
  errors: number;
  /** Accepted sends the partner's stream had not carried by the end of the grace period. */
  undelivered: number;
  seconds: number;
  errorSamples: string[];
}

/** Streams held open, and a way to close them all. */
export interface HeldStreams {
  /** Message id → when it arrived at its receiver. */
  arrivals: Map<string, number>;
  /** Typing events the streams carried (the signals row of bench/signals_bench.ts). */
  typing: { count: number };
  errors: string[];
  close(): Promise<void>;
}

const GRACE_MS = 1_500;
const CONNECT_BATCH = 250;

/** Opens one event stream per user and resolves once every one says it is connected. */
export async function holdStreams(
  server: string,
  users: BenchUser[],
): Promise<HeldStreams> {
  const arrivals = new Map<string, number>();
  const typing = { count: 0 };
  const errors: string[] = [];
  const controllers: AbortController[] = [];
  const readers: Promise<void>[] = [];
  for (let start = 0; start < users.length; start += CONNECT_BATCH) {
    const batch = users.slice(start, start + CONNECT_BATCH).map((user) => {
      const controller = new AbortController();
      controllers.push(controller);
      const connected = Promise.withResolvers<void>();
      readers.push(
        readStream(
          server,
          user,
          controller.signal,
          arrivals,
          () => connected.resolve(),
          typing,
        ).catch((error) => {
          if (!controller.signal.aborted) errors.push(String(error));
          connected.resolve();
        }),
      );
      return connected.promise;
    });
    await Promise.all(batch);
  }
  return {
    arrivals,
    typing,
    errors,
    async close() {
      for (const c of controllers) c.abort();
      await Promise.allSettled(readers);
    },
  };
}

async function readStream(
  server: string,
  user: BenchUser,
  signal: AbortSignal,
  arrivals: Map<string, number>,
  onConnected: () => void,
  typing: { count: number },
): Promise<void> {
  await readEventBlocks(server, user, signal, (block) => {
    if (block.startsWith(": connected")) onConnected();
    if (block.includes("event: typing")) typing.count++;
    if (!block.includes("event: message")) return;
    const event = JSON.parse(block.slice(block.indexOf("data: ") + 6));
    if (event.message.from !== user.name) {
      arrivals.set(event.message.id, performance.now());
    }
  });
}

/**
 * Holds `user`'s event stream until it ends or `signal` aborts, handing each SSE block
 * (the text between blank lines) to `onBlock` as it arrives.
 */
export async function readEventBlocks(
  server: string,
  user: BenchUser,
  signal: AbortSignal,
  onBlock: (block: string) => void,
): Promise<void> {
  const res = await fetch(`${server}/api/events/stream`, {
    headers: { cookie: user.cookie, accept: "text/event-stream" },
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  // Aborting the fetch does not always end a body already piped through a decoder (seen
  // with thousands held): cancel the reader too, or close() waits forever.
  const cancel = () => reader.cancel().catch(() => {});
  if (signal.aborted) cancel();
  else signal.addEventListener("abort", cancel, { once: true });
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      onBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

/** Sends `sendsPerSecond` in total for `durationMs`, senders drawn round-robin from pairs. */
export async function runInboxLoad(
  server: string,
  users: BenchUser[],
  streams: HeldStreams,
  options: { sendsPerSecond: number; durationMs: number },
): Promise<InboxLoadResult> {
  const accepted = new Map<string, number>();
  const result: InboxLoadResult = {
    latenciesMs: [],
    sendMs: [],
    sent: 0,
    errors: 0,
    undelivered: 0,
    seconds: options.durationMs / 1000,
    errorSamples: [],
  };
  const inflight: Promise<void>[] = [];
  const began = performance.now();
  let next = 0;
  const total = Math.round(options.sendsPerSecond * options.durationMs / 1000);
  for (let i = 0; i < total; i++) {
    const due = began + i * 1000 / options.sendsPerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const from = users[next % users.length];
    const to = users[next % 2 === 0 ? next + 1 : next - 1] ?? users[0];
    next = (next + 1) % users.length;
    inflight.push((async () => {
      const started = performance.now();
      try {
        const res = await fetch(
          `${server}/api/conversations/${to.name}/messages`,
          {
            method: "POST",
            headers: {
              cookie: from.cookie,
              "content-type": "application/json",
              origin: server,
            },
            body: JSON.stringify({ text: `bench ${i}` }),
          },
        );
        const body = await res.json();
        if (res.status !== 201) throw new Error(`send: HTTP ${res.status}`);
        accepted.set(body.message.id, performance.now());
        result.sendMs.push(performance.now() - started);
        result.sent++;
      } catch (error) {
        result.errors++;
        if (result.errorSamples.length < 3) {
          result.errorSamples.push(String(error));
        }
      }
    })());
  }
  await Promise.all(inflight);
  const deadline = performance.now() + GRACE_MS;
  while (performance.now() < deadline) {
    if ([...accepted.keys()].every((id) => streams.arrivals.has(id))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const [id, at] of accepted) {
    const arrived = streams.arrivals.get(id);
    if (arrived === undefined) result.undelivered++;
    // The stream can beat the 201 home: that counts as 0, not a negative latency.
    else result.latenciesMs.push(Math.max(0, arrived - at));
  }
  return result;
}
