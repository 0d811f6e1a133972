/**
 * The delivery rows of `deno task bench`: one row is a run of the long-polling load
 * (bench/load.ts) against one or more fresh server processes, with latency, throughput,
 * memory, CPU and exit codes; `format` and `ratio` print them. bench/run.ts composes them.
 */
import {
  checkConcurrentHolds,
  type LoadResult,
  pairUp,
  runLoad,
} from "./load.ts";
import { cpuSeconds, peakRssMb, percentile, waitUntilIdle } from "./measure.ts";
import type { BenchUser } from "./seed.ts";
import { type ServerProcess, spawnServer } from "./server_process.ts";

/** Total sends per second of every delivery row, and how long each row runs. */
export const SENDS_PER_SECOND = 100;
export const LEVEL_MS = 10_000;

export interface Row {
  label: string;
  users: number;
  load: LoadResult;
  rssMb: number[];
  cpuSeconds: number;
  exitCodes: number[];
}

/** Which server to run: main.ts as `deno task start` runs it by default. */
export type ServerKind = { script?: string; listening?: RegExp };

export const NATTER: ServerKind = {};
export const BASELINE: ServerKind = {
  script: "bench/baseline_server.ts",
  listening: /Baseline is listening on (http:\/\/\S+)/,
};

export async function startServers(
  kind: ServerKind,
  kvPath: string,
  count: number,
): Promise<ServerProcess[]> {
  const servers: ServerProcess[] = [];
  // One after the other: a first start may build the island bundles.
  for (let i = 0; i < count; i++) {
    servers.push(await spawnServer({ kvPath, ...kind }));
  }
  return servers;
}

export async function level(
  label: string,
  kind: ServerKind,
  options: {
    kvPath: string;
    users: BenchUser[];
    processes?: number;
    checkHolds?: boolean;
  },
): Promise<Row> {
  const servers = await startServers(
    kind,
    options.kvPath,
    options.processes ?? 1,
  );
  try {
    // Partners sit on different processes when there are two: every delivery crosses.
    const participants = pairUp(
      options.users,
      (i) => servers[i % servers.length].url,
    );
    if (options.checkHolds) {
      const holds = await checkConcurrentHolds(participants, 2);
      console.log(
        `  ${label}: ${holds.answered} polls held at once with wait=2 all answered after ${
          holds.seconds.toFixed(2)
        } s (${holds.errors} errors)`,
      );
    }
    const cpuBefore = servers.map((s) => cpuSeconds(s.pid));
    const load = await runLoad(participants, {
      sendsPerSecond: SENDS_PER_SECOND,
      durationMs: LEVEL_MS,
      settle: () => waitUntilIdle(servers.map((s) => s.pid)),
    });
    const cpu = servers.reduce(
      (sum, s, i) => sum + cpuSeconds(s.pid) - cpuBefore[i],
      0,
    );
    const rssMb = servers.map((s) => peakRssMb(s.pid));
    const statuses = await Promise.all(servers.map((s) => s.stop("SIGTERM")));
    for (const sample of load.errorSamples) console.log(`    error: ${sample}`);
    console.log(`  ${label}: ${settleLine(participants.length, load)}`);
    return {
      label,
      users: options.users.length,
      load,
      rssMb,
      cpuSeconds: cpu,
      exitCodes: statuses.map((s) => s.code),
    };
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop("SIGKILL")));
    throw error;
  }
}

/**
 * What each row leaves out, printed beside it: how long the connect storm lasted (sends
 * wait it out) and the deliveries of the warm-up sends.
 */
export function settleLine(polls: number, load: LoadResult): string {
  const warmup = load.warmupLatenciesMs;
  return `${polls} polls opened at once, servers quiet after ${
    (load.settleMs / 1000).toFixed(1)
  } s; warm-up sends: p99 ${
    percentile(warmup, 99).toFixed(1)
  } ms (${warmup.length}, not in the row)`;
}

export function format(row: Row): string {
  const { load } = row;
  const ms = (p: number) => percentile(load.latenciesMs, p).toFixed(1);
  const cells = [
    row.label.padEnd(22),
    String(row.users).padStart(5),
    ms(50).padStart(7),
    ms(95).padStart(7),
    ms(99).padStart(7),
    (load.sent / load.seconds).toFixed(1).padStart(8),
    (load.polls / load.seconds).toFixed(1).padStart(8),
    String(load.errors).padStart(6),
    String(load.undelivered).padStart(6),
    row.rssMb.map((mb) => mb.toFixed(0)).join("+").padStart(9),
    row.cpuSeconds.toFixed(2).padStart(6),
  ];
  return `| ${cells.join(" | ")} |`;
}

export const HEADER = [
  "| server                 | users |  p50 ms |  p95 ms |  p99 ms |  sends/s |  polls/s | errors | undel. | peak RSS MB |  CPU s |",
  "| ---------------------- | ----: | ------: | ------: | ------: | -------: | -------: | -----: | -----: | ----------: | -----: |",
].join("\n");

export function ratio(natter: Row, baseline: Row): string {
  const p = (row: Row, q: number) => percentile(row.load.latenciesMs, q);
  const x = (a: number, b: number) => (a / b).toFixed(1) + "×";
  return `  natter/baseline at ${natter.users} users: p50 ${
    x(p(natter, 50), p(baseline, 50))
  }, p99 ${x(p(natter, 99), p(baseline, 99))}, peak RSS ${
    x(natter.rssMb[0], baseline.rssMb[0])
  }, CPU ${x(natter.cpuSeconds, baseline.cpuSeconds)}`;
}
