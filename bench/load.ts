/**
 * The benchmark's simulated people. They come in pairs; each person keeps one long poll
 * open on the conversation with their partner and sends to them at a set rate. Delivery
 * latency is measured from the moment a send is accepted (its 201 arrives) to the moment
 * the partner's poll returns that message, both on this process's clock.
 */
import type { BenchUser } from "./seed.ts";

/** One simulated person: who they are, which server they use, and who they talk to. */
export interface Participant {
  user: BenchUser;
  server: string;
  peer: string;
}

/** What one load run measured. */
export interface LoadResult {
  latenciesMs: number[];
  /** When each of `latenciesMs`'s sends was accepted, in ms after the measured part began. */
  acceptedAtMs: number[];
  /** Deliveries of sends made during the warm-up, kept apart from `latenciesMs`. */
  warmupLatenciesMs: number[];
  sent: number;
  polls: number;
  errors: number;
  /** Accepted sends the partner's poll had not returned by the end of the grace period. */
  undelivered: number;
  seconds: number;
  /** How long the servers took to settle after every poll opened at once (ms). */
  settleMs: number;
  /** The first few error descriptions, to make a failed run explainable. */
  errorSamples: string[];
}

const LONG_POLL_SECONDS = 25;
/** Sends before the measured part (see `runLoad`'s `warmupMs`). */
export const WARMUP_MS = 2_000;
/** After the last send, polls keep running this long so in-flight deliveries land. */
const GRACE_MS = 1_500;

const api = (server: string, peer: string) =>
  `${server}/api/conversations/${encodeURIComponent(peer)}/messages`;

/** Pairs users up: 0↔1, 2↔3, …; `serverFor(i)` picks each person's server. */
export function pairUp(
  users: BenchUser[],
  serverFor: (index: number) => string,
): Participant[] {
  return users.map((user, i) => ({
    user,
    server: serverFor(i),
    peer: users[i % 2 === 0 ? i + 1 : i - 1].name,
  }));
}

/** Runs for `durationMs`: every participant long-polls, all together sending `sendsPerSecond`. */
export async function runLoad(
  participants: Participant[],
  options: {
    sendsPerSecond: number;
    durationMs: number;
    /** Runs `run` `atMs` after the load began (e.g. to kill a server halfway). */
    at?: { atMs: number; run: () => unknown };
    /**
     * Resolves once the servers are quiet again after every poll opened at once; sends
     * start then, so the figures are the steady state, not the connect storm.
     */
    settle?: () => Promise<unknown>;
    /**
     * Sends run this long before the measured `durationMs` (default WARMUP_MS): the first
     * sends run code no request ran before (V8 compiles it then), and their deliveries
     * are reported apart (`warmupLatenciesMs`).
     */
    warmupMs?: number;
  },
): Promise<LoadResult> {
  const result: LoadResult = {
    latenciesMs: [],
    acceptedAtMs: [],
    warmupLatenciesMs: [],
    sent: 0,
    polls: 0,
    errors: 0,
    undelivered: 0,
    seconds: 0,
    settleMs: 0,
    errorSamples: [],
  };
  const fail = (what: string) => {
    result.errors++;
    if (result.errorSamples.length < 5) result.errorSamples.push(what);
  };
  let started = performance.now();
  const warmupMs = options.warmupMs ?? WARMUP_MS;
  const measured = () => performance.now() - started >= warmupMs;
  const acceptedAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const record = (id: string) => {
    const accepted = acceptedAt.get(id);
    const received = receivedAt.get(id);
    if (accepted === undefined || received === undefined) return;
    // A poll can return before the send's own answer is read: that is zero latency.
    const latency = Math.max(0, received - accepted);
    if (accepted - started < warmupMs) {
      result.warmupLatenciesMs.push(latency);
    } else {
      result.latenciesMs.push(latency);
      result.acceptedAtMs.push(accepted - started - warmupMs);
    }
    acceptedAt.delete(id);
    receivedAt.delete(id);
  };

  const cursors = await initialCursors(participants, fail);
  const stopPolling = new AbortController();

  const poll = async (p: Participant, index: number) => {
    let cursor = cursors[index];
    while (!stopPolling.signal.aborted) {
      try {
        const res = await fetch(
          `${api(p.server, p.peer)}?after=${cursor}&wait=${LONG_POLL_SECONDS}`,
          { headers: { cookie: p.user.cookie }, signal: stopPolling.signal },
        );
        const now = performance.now();
        if (!res.ok) {
          fail(`poll HTTP ${res.status}: ${await res.text()}`);
          continue;
        }
        const body = await res.json() as {
          messages: Array<{ from: string; text: string }>;
          cursor: string;
        };
        if (measured()) result.polls++;
        cursor = body.cursor;
        for (const message of body.messages) {
          if (message.from !== p.peer) continue;
          receivedAt.set(message.text, now);
          record(message.text);
        }
      } catch (error) {
        if (!stopPolling.signal.aborted) fail(`poll: ${error}`);
      }
    }
  };

  const send = async (p: Participant, id: string) => {
    try {
      const res = await fetch(api(p.server, p.peer), {
        method: "POST",
        headers: { cookie: p.user.cookie, "content-type": "application/json" },
        body: JSON.stringify({ text: id, clientId: crypto.randomUUID() }),
      });
      const now = performance.now();
      await res.body?.cancel();
      if (res.status !== 201) return fail(`send HTTP ${res.status}`);
      if (measured()) result.sent++;
      acceptedAt.set(id, now);
      record(id);
    } catch (error) {
      fail(`send: ${error}`);
    }
  };

  // Each person sends every `period`, starting at a random phase so sends spread evenly.
  const sendLoop = async (p: Participant, index: number, end: number) => {
    const period = 1000 * participants.length / options.sendsPerSecond;
    const start = performance.now() + Math.random() * period;
    const inFlight: Promise<void>[] = [];
    for (let k = 0;; k++) {
      const due = start + k * period;
      if (due >= end) break;
      const delay = due - performance.now();
      if (delay > 0) await sleep(delay);
      inFlight.push(send(p, `b${index}-${k}`));
    }
    await Promise.all(inFlight);
  };

  const polls = participants.map(poll);
  const settling = performance.now();
  await options.settle?.();
  result.settleMs = performance.now() - settling;
  started = performance.now();
  const end = started + warmupMs + options.durationMs;
  const at = options.at;
  const timer = at && setTimeout(() => at.run(), warmupMs + at.atMs);
  await Promise.all(participants.map((p, i) => sendLoop(p, i, end)));
  result.seconds = (performance.now() - started - warmupMs) / 1000;
  clearTimeout(timer);
  await sleep(GRACE_MS);
  stopPolling.abort();
  await Promise.all(polls);
  result.undelivered = acceptedAt.size;
  return result;
}

/** Sends as fast as `senders` sequential loops can for `durationMs`; returns accepted sends/s. */
export async function runFullSpeed(
  participants: Participant[],
  options: { durationMs: number },
): Promise<{ perSecond: number; sent: number; errors: number }> {
  let sent = 0;
  let errors = 0;
  const end = performance.now() + options.durationMs;
  const started = performance.now();
  await Promise.all(participants.map(async (p) => {
    for (let k = 0; performance.now() < end; k++) {
      try {
        const res = await fetch(api(p.server, p.peer), {
          method: "POST",
          headers: {
            cookie: p.user.cookie,
            "content-type": "application/json",
          },
          body: JSON.stringify({ text: `fast ${k}` }),
        });
        await res.body?.cancel();
        if (res.status === 201) sent++;
        else errors++;
      } catch {
        errors++;
      }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: sent / seconds, sent, errors };
}

/**
 * Holds one poll per participant with `wait` seconds and nothing to deliver, all at once,
 * and returns how long until the last answered. About `wait` means they really were held
 * concurrently; a client that queued connections per host would take a multiple of it.
 */
export async function checkConcurrentHolds(
  participants: Participant[],
  waitSeconds: number,
): Promise<{ seconds: number; answered: number; errors: number }> {
  const cursors = await initialCursors(participants, () => {});
  const started = performance.now();
  let answered = 0;
  let errors = 0;
  await Promise.all(participants.map(async (p, i) => {
    try {
      const res = await fetch(
        `${api(p.server, p.peer)}?after=${cursors[i]}&wait=${waitSeconds}`,
        { headers: { cookie: p.user.cookie } },
      );
      const body = await res.json();
      if (res.ok && body.messages.length === 0) answered++;
      else errors++;
    } catch {
      errors++;
    }
  }));
  return { seconds: (performance.now() - started) / 1000, answered, errors };
}

/** Everyone's current cursor (their newest messages), fetched 50 people at a time. */
async function initialCursors(
  participants: Participant[],
  fail: (what: string) => void,
): Promise<string[]> {
  const cursors: string[] = [];
  for (let i = 0; i < participants.length; i += 50) {
    const batch = participants.slice(i, i + 50).map(async (p) => {
      const res = await fetch(api(p.server, p.peer), {
        headers: { cookie: p.user.cookie },
      });
      if (!res.ok) {
        fail(`first load HTTP ${res.status}`);
        await res.body?.cancel();
        return "";
      }
      return (await res.json()).cursor as string;
    });
    cursors.push(...await Promise.all(batch));
  }
  return cursors;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
