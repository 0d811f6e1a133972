/**
 * The signals part of `deno task bench` (issue 12): 1,000 people holding the event stream
 * in one server process, 100 sends/s, first without typing traffic, then with every
 * connected person sending a typing notice to their partner every 3 s while the sends go
 * on. Prints delivery p50/p95/p99 and KV commits per second for both, counted inside the
 * server by bench/count_commits.ts, so presence and typing are seen to cost no commits.
 * Run alone with `deno task bench --signals`.
 */
import { holdStreams, runInboxLoad } from "./inbox_load.ts";
import { cpuSeconds, percentile } from "./measure.ts";
import type { BenchUser } from "./seed.ts";
import { spawnServer, startTaskArgs } from "./server_process.ts";

const USERS = 1000;
const ROW_MS = 10_000;
const SENDS_PER_SECOND = 100;
const TYPING_EVERY_MS = 3_000;
const TARGET_P99_MS = 25;
/** Commits/s with signals may exceed those without by at most this (noise, lastSeen). */
const COMMIT_SLACK = 1.1;

interface SignalsRow {
  label: string;
  p: [number, number, number];
  sent: number;
  undelivered: number;
  errors: number;
  commitsPerSecond: number;
  typingSent: number;
  typingSeen: number;
  /** Server CPU seconds during the measured window. */
  cpu: number;
}

async function readCount(file: string): Promise<number> {
  try {
    return Number(await Deno.readTextFile(file)) || 0;
  } catch {
    return 0;
  }
}

/** Every user posts a typing notice to their partner every 3 s, spread evenly, until `stop`. */
async function typeAlong(
  server: string,
  users: BenchUser[],
  stop: AbortSignal,
): Promise<{ sent: number; errors: number }> {
  const out = { sent: 0, errors: 0 };
  const gap = TYPING_EVERY_MS / users.length;
  const began = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; !stop.aborted; i++) {
    // Always yields, and never bursts to catch up: a notice late is a notice skipped.
    const wait = began + i * gap - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    if (wait < -TYPING_EVERY_MS) continue;
    const n = i % users.length;
    const from = users[n];
    const to = users[n % 2 === 0 ? n + 1 : n - 1] ?? users[0];
    inflight.push(
      fetch(`${server}/api/conversations/${to.name}/typing`, {
        method: "POST",
        headers: { cookie: from.cookie, origin: server },
      }).then(async (res) => {
        await res.body?.cancel();
        if (res.status === 204) out.sent++;
        else out.errors++;
      }, () => {
        out.errors++;
      }),
    );
  }
  await Promise.all(inflight);
  return out;
}

async function row(
  label: string,
  kvPath: string,
  users: BenchUser[],
  withTyping: boolean,
): Promise<SignalsRow> {
  const commitsFile = await Deno.makeTempFile({ prefix: "natter-commits-" });
  const args = startTaskArgs();
  // `run --preload <counter> … main.ts`: the server as deployed, plus the commit counter.
  args.splice(1, 0, "--preload", "bench/count_commits.ts");
  await using server = await spawnServer({
    kvPath,
    args,
    env: { BENCH_COMMITS_FILE: commitsFile },
  });
  const streams = await holdStreams(server.url, users);
  try {
    const stop = new AbortController();
    const typing = withTyping
      ? typeAlong(server.url, users, stop.signal)
      : Promise.resolve({ sent: 0, errors: 0 });
    // Let the connection burst (presence, first lastSeen) settle before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    const before = await readCount(commitsFile);
    const cpuBefore = cpuSeconds(server.pid);
    const began = performance.now();
    const load = await runInboxLoad(server.url, users, streams, {
      sendsPerSecond: SENDS_PER_SECOND,
      durationMs: ROW_MS,
    });
    await new Promise((r) => setTimeout(r, 200));
    const commits = await readCount(commitsFile) - before;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const seconds = (performance.now() - began) / 1000;
    stop.abort();
    const typed = await typing;
    return {
      label,
      p: [50, 95, 99].map((q) => percentile(load.latenciesMs, q)) as [
        number,
        number,
        number,
      ],
      sent: load.sent,
      undelivered: load.undelivered,
      errors: load.errors + streams.errors.length + typed.errors,
      commitsPerSecond: commits / seconds,
      typingSent: typed.sent,
      typingSeen: streams.typing.count,
      cpu,
    };
  } finally {
    // Bounded: after a busy run, aborting 1,000 held fetches can leave some readers
    // pending in the client (seen before this change too); the server stops regardless.
    await Promise.race([
      streams.close(),
      new Promise((r) => setTimeout(r, 3_000)),
    ]);
    await Deno.remove(commitsFile).catch(() => {});
  }
}

/** Runs both rows and prints them with the targets; returns whether both targets were met. */
export async function runSignalsBench(
  kvPath: string,
  users: BenchUser[],
): Promise<boolean> {
  const people = users.slice(0, USERS);
  const load = await Deno.readTextFile("/proc/loadavg").catch(() => "?");
  console.log(
    `Machine load average before the run: ${
      load.split(" ").slice(0, 3).join(" ")
    }`,
  );
  console.log(
    `Signals: ${people.length} people holding the stream, ${SENDS_PER_SECOND} sends/s, ${
      ROW_MS / 1000
    } s per row; with signals every person also sends a typing notice every ${
      TYPING_EVERY_MS / 1000
    } s.`,
  );
  const off = await row("signals off", kvPath, people, false);
  const on = await row("signals on (typing)", kvPath, people, true);
  console.log(
    "\n| run                  | users | p50 ms | p95 ms | p99 ms | sends | undel. | errors | typing sent | typing seen | KV commits/s | CPU s |",
  );
  console.log(
    "| -------------------- | ----: | -----: | -----: | -----: | ----: | -----: | -----: | ----------: | ----------: | -----------: | ----: |",
  );
  for (const r of [off, on]) {
    console.log(
      `| ${r.label.padEnd(20)} | ${String(people.length).padStart(5)} | ${
        r.p.map((v) => v.toFixed(1).padStart(6)).join(" | ")
      } | ${String(r.sent).padStart(5)} | ${
        String(r.undelivered).padStart(6)
      } | ${String(r.errors).padStart(6)} | ${
        String(r.typingSent).padStart(11)
      } | ${String(r.typingSeen).padStart(11)} | ${
        r.commitsPerSecond.toFixed(1).padStart(12)
      } | ${r.cpu.toFixed(1).padStart(5)} |`,
    );
  }
  const p99 = on.p[2] < TARGET_P99_MS;
  const flat = on.commitsPerSecond <= off.commitsPerSecond * COMMIT_SLACK;
  console.log(
    `  ${
      p99 ? "PASS" : "MISS"
    }  delivery p99 at ${people.length} users with signals under ${TARGET_P99_MS} ms`,
  );
  console.log(
    `  ${flat ? "PASS" : "MISS"}  KV commits/s with typing (${
      on.commitsPerSecond.toFixed(1)
    }) within ${COMMIT_SLACK}× of without (${off.commitsPerSecond.toFixed(1)})`,
  );
  return p99 && flat;
}
