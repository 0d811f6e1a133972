/**
 * The inbox part of `deno task bench` (issue 11, point 8): people holding the event
 * stream in one server process, at 1,000 and 10,000 connected users with 100 sends/s, the
 * heavy row (1,000 users, 500 sends/s), then rising rates at 1,000 users until delivery
 * p99 passes 250 ms. Each row gets a fresh server, so its peak RSS is its own.
 * Run alone with `deno task bench --inbox`.
 */
import {
  holdStreams,
  type InboxLoadResult,
  runInboxLoad,
} from "./inbox_load.ts";
import { peakRssMb, percentile } from "./measure.ts";
import type { BenchUser } from "./seed.ts";
import { spawnServer } from "./server_process.ts";

const ROW_MS = 10_000;
const RAMP_MS = 5_000;
const RAMP_RATES = [250, 500, 750, 1000, 1500];
const TARGETS = {
  p99At1000Ms: 25,
  p99At10000Ms: 250,
  rssAt10000Mb: 400,
  heavyP99Ms: 100,
  rampP99Ms: 250,
};

interface InboxRow {
  label: string;
  users: number;
  rate: number;
  load: InboxLoadResult;
  rssMb: number;
  connectSeconds: number;
}

async function row(
  label: string,
  kvPath: string,
  users: BenchUser[],
  sendsPerSecond: number,
  durationMs: number,
  baseline = false,
): Promise<InboxRow> {
  await using server = await spawnServer(
    baseline
      ? {
        kvPath,
        script: "bench/baseline_server.ts",
        listening: /Baseline is listening on (http:\/\/\S+)/,
      }
      : { kvPath },
  );
  const connecting = performance.now();
  const streams = await holdStreams(server.url, users);
  const connectSeconds = (performance.now() - connecting) / 1000;
  try {
    const load = await runInboxLoad(server.url, users, streams, {
      sendsPerSecond,
      durationMs,
    });
    for (const e of streams.errors.slice(0, 3)) load.errorSamples.push(e);
    load.errors += streams.errors.length;
    return {
      label,
      users: users.length,
      rate: sendsPerSecond,
      load,
      rssMb: peakRssMb(server.pid),
      connectSeconds,
    };
  } finally {
    await streams.close();
  }
}

const p = (r: InboxRow, q: number) => percentile(r.load.latenciesMs, q);

function format(r: InboxRow): string {
  const cells = [
    r.label.padEnd(26),
    String(r.users).padStart(6),
    String(r.rate).padStart(6),
    p(r, 50).toFixed(1).padStart(7),
    p(r, 95).toFixed(1).padStart(7),
    p(r, 99).toFixed(1).padStart(7),
    String(r.load.sent).padStart(6),
    String(r.load.errors).padStart(6),
    String(r.load.undelivered).padStart(6),
    r.rssMb.toFixed(0).padStart(7),
    r.connectSeconds.toFixed(1).padStart(9),
    percentile(r.load.sendMs, 50).toFixed(1).padStart(11),
  ];
  return `| ${cells.join(" | ")} |`;
}

const HEADER = [
  "| inbox (SSE held by all)    |  users | send/s |  p50 ms |  p95 ms |  p99 ms |   sent | errors | undel. | RSS MB | connect s | send p50 ms |",
  "| -------------------------- | -----: | -----: | ------: | ------: | ------: | -----: | -----: | -----: | -----: | --------: | ----------: |",
].join("\n");

function check(ok: boolean, text: string): boolean {
  console.log(`  ${ok ? "PASS" : "MISS"}  ${text}`);
  return ok;
}

/** Runs every inbox row against users already seeded in `kvPath` (needs 10,000). */
export async function runInboxBench(
  kvPath: string,
  users: BenchUser[],
): Promise<boolean> {
  const rows: InboxRow[] = [];
  const run = async (...args: Parameters<typeof row>) => {
    console.log(`Running inbox: ${args[2].length} users, ${args[0]}…`);
    const r = await row(...args);
    for (const e of r.load.errorSamples) console.log(`    error: ${e}`);
    console.log(`${HEADER}\n${format(r)}`);
    rows.push(r);
    return r;
  };
  const thousand = users.slice(0, 1000);
  const at1000 = await run("100 sends/s", kvPath, thousand, 100, ROW_MS);
  const at10000 = await run("100 sends/s", kvPath, users, 100, ROW_MS);
  // The floor: a bare Deno.serve holding the same 10,000 streams (bench/baseline_server.ts).
  const floor = await run(
    "baseline (bare serve)",
    kvPath,
    users,
    100,
    ROW_MS,
    true,
  );
  const heavy = await run("heavy: 500 sends/s", kvPath, thousand, 500, ROW_MS);
  let best = 0;
  for (const rate of RAMP_RATES) {
    const r = await run(`ramp ${rate}/s`, kvPath, thousand, rate, RAMP_MS);
    const ok = p(r, 99) < TARGETS.rampP99Ms && r.load.errors === 0 &&
      r.load.undelivered === 0;
    if (!ok) break;
    best = rate;
  }
  console.log(`\n${HEADER}`);
  for (const r of rows) console.log(format(r));
  console.log(
    `\n  highest send rate with delivery p99 < ${TARGETS.rampP99Ms} ms at 1,000 users: ${
      best > 0 ? `${best}/s` : `below ${RAMP_RATES[0]}/s`
    } (steps ${RAMP_RATES.join(", ")})`,
  );
  console.log(
    `\n  at 10,000 users natter ÷ baseline: p99 ${
      (p(at10000, 99) / Math.max(0.1, p(floor, 99))).toFixed(1)
    }×, peak RSS ${(at10000.rssMb / floor.rssMb).toFixed(2)}× (${
      ((at10000.rssMb - floor.rssMb) * 1024 / users.length).toFixed(1)
    } KB more per held stream)`,
  );
  console.log("\nInbox targets:");
  const results = [
    check(
      p(at1000, 99) < TARGETS.p99At1000Ms,
      `p99 under ${TARGETS.p99At1000Ms} ms at 1,000 users`,
    ),
    check(
      p(at10000, 99) < TARGETS.p99At10000Ms,
      `p99 under ${TARGETS.p99At10000Ms} ms at 10,000 users`,
    ),
    check(
      at10000.rssMb < TARGETS.rssAt10000Mb,
      `peak RSS under ${TARGETS.rssAt10000Mb} MB at 10,000 users`,
    ),
    check(
      p(heavy, 99) < TARGETS.heavyP99Ms,
      `heavy row p99 under ${TARGETS.heavyP99Ms} ms`,
    ),
    check(
      rows.every((r) => r.load.errors === 0 && r.load.undelivered === 0),
      "no errors and nothing undelivered",
    ),
  ];
  return results.every(Boolean);
}
