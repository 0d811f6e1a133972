/**
 * The "scaling out" rows of `deno task bench` (or only them: `deno task bench --redis`):
 * three natter processes on one KV file at 1,000 users and 100 sends/s, every pair of
 * partners on two different processes, so every delivery crosses processes. Once without
 * Redis (wake-ups by the 250 ms re-read), once with Redis, and once with Redis killed
 * halfway (nothing may be lost; the p99 of each half is printed). ~45 s in all.
 */
import { type LoadResult, pairUp, runLoad } from "./load.ts";
import { cpuSeconds, peakRssMb, percentile, waitUntilIdle } from "./measure.ts";
import { redisInstalled, startRedis } from "./redis_process.ts";
import { settleLine } from "./delivery_rows.ts";
import type { BenchUser } from "./seed.ts";
import { type ServerProcess, spawnServer } from "./server_process.ts";

const PROCESSES = 3;
const SENDS_PER_SECOND = 100;
const DURATION_MS = 10_000;
export const TARGET_P99_WITH_REDIS_MS = 50;

export interface RedisBenchResult {
  /** Table rows in bench/run.ts's layout. */
  rows: string[];
  /** Lines below the table (the halves of the kill run). */
  notes: string[];
  checks: Array<{ ok: boolean; text: string }>;
}

async function run(
  kvPath: string,
  users: BenchUser[],
  env: Record<string, string>,
  at?: (servers: ServerProcess[]) => { atMs: number; run: () => unknown },
) {
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < PROCESSES; i++) {
      servers.push(await spawnServer({ kvPath, env }));
    }
    const participants = pairUp(users, (i) => servers[i % PROCESSES].url);
    const cpuBefore = servers.map((s) => cpuSeconds(s.pid));
    const load = await runLoad(participants, {
      sendsPerSecond: SENDS_PER_SECOND,
      durationMs: DURATION_MS,
      at: at?.(servers),
      settle: () => waitUntilIdle(servers.map((s) => s.pid)),
    });
    const cpu = servers.reduce(
      (sum, s, i) => sum + cpuSeconds(s.pid) - cpuBefore[i],
      0,
    );
    const rssMb = servers.map((s) => peakRssMb(s.pid));
    const codes = (await Promise.all(servers.map((s) => s.stop("SIGTERM"))))
      .map((s) => s.code);
    for (const sample of load.errorSamples) console.log(`    error: ${sample}`);
    console.log(`  ${settleLine(participants.length, load)}`);
    return { load, cpu, rssMb, codes };
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop("SIGKILL")));
    throw error;
  }
}

function row(
  label: string,
  users: number,
  r: { load: LoadResult; cpu: number; rssMb: number[] },
): string {
  const { load } = r;
  const ms = (p: number) => percentile(load.latenciesMs, p).toFixed(1);
  const cells = [
    label.padEnd(22),
    String(users).padStart(5),
    ms(50).padStart(7),
    ms(95).padStart(7),
    ms(99).padStart(7),
    (load.sent / load.seconds).toFixed(1).padStart(8),
    (load.polls / load.seconds).toFixed(1).padStart(8),
    String(load.errors).padStart(6),
    String(load.undelivered).padStart(6),
    r.rssMb.map((mb) => mb.toFixed(0)).join("+").padStart(9),
    r.cpu.toFixed(2).padStart(6),
  ];
  return `| ${cells.join(" | ")} |`;
}

/** Runs the three rows; without redis-server it says so and returns no rows. */
export async function runRedisBench(
  kvPath: string,
  users: BenchUser[],
): Promise<RedisBenchResult> {
  if (!redisInstalled()) {
    console.log("  redis-server not installed: the Redis rows are skipped");
    return { rows: [], notes: [], checks: [] };
  }
  console.log(`Running ${PROCESSES} natter processes on one KV file…`);
  const plain = await run(kvPath, users, {});
  await using redis = await startRedis();
  const env = { NATTER_REDIS_URL: redis.url };
  console.log(`Running ${PROCESSES} natter processes on one KV file + Redis…`);
  const shared = await run(kvPath, users, env);
  console.log("Running the same with Redis killed halfway…");
  const half = DURATION_MS / 2;
  const killed = await run(kvPath, users, env, () => ({
    atMs: half,
    run: () => redis.kill(),
  }));
  const halves = [true, false].map((first) =>
    killed.load.latenciesMs.filter((_, i) =>
      (killed.load.acceptedAtMs[i] < half) === first
    )
  );
  const p99 = (values: number[]) => percentile(values, 99);
  const all = [plain, shared, killed];
  return {
    rows: [
      row(`natter ×${PROCESSES}, one KV file`, users.length, plain),
      row(`natter ×${PROCESSES} + Redis`, users.length, shared),
      row(`×${PROCESSES} + Redis killed ½`, users.length, killed),
    ],
    notes: [
      `  Redis killed halfway: p99 ${p99(halves[0]).toFixed(1)} ms before (${
        halves[0].length
      } deliveries), ${p99(halves[1]).toFixed(1)} ms after (${
        halves[1].length
      }); ${killed.load.undelivered} undelivered, ${killed.load.errors} errors`,
    ],
    checks: [
      {
        ok: p99(shared.load.latenciesMs) < TARGET_P99_WITH_REDIS_MS,
        text:
          `delivery p99 across ${PROCESSES} processes with Redis under ${TARGET_P99_WITH_REDIS_MS} ms`,
      },
      {
        ok: all.every((r) => r.load.errors === 0 && r.load.undelivered === 0),
        text:
          "Redis rows: no errors and nothing undelivered (Redis killed too)",
      },
      {
        ok: all.every((r) => r.codes.every((code) => code === 0)),
        text: "Redis rows: every server exited 0 on SIGTERM",
      },
    ],
  };
}
