/**
 * `deno task bench`: the delivery benchmark (docs/benchmarks.md explains and records it).
 *
 * Seeds 1,000 users with sessions into a temp KV file, then for 10, 100 and 1,000
 * connected users runs the real server (main.ts) in its own process and, against a bare
 * `Deno.serve` baseline in the same run, drives pairs of simulated people who long-poll
 * and send at 100 messages/s in total. Then: sends at full speed against raw KV writes, server memory against page views,
 * two server processes on one KV file, and three with and without Redis
 * (bench/redis_bench.ts). Loopback only, bounded in time (~3.5 min).
 */
import { cpus } from "node:os";
import { pairUp, runFullSpeed } from "./load.ts";
import { cpuSeconds, percentile } from "./measure.ts";
import {
  BASELINE,
  format,
  HEADER,
  level,
  LEVEL_MS,
  NATTER,
  ratio,
  type Row,
  SENDS_PER_SECOND,
  startServers,
} from "./delivery_rows.ts";
import { runInboxBench } from "./inbox_bench.ts";
import {
  formatAttachmentBench,
  runAttachmentBench,
} from "./attachments_bench.ts";
import { runSignalsBench } from "./signals_bench.ts";
import { runGroupsBench } from "./groups_bench.ts";
import { measureRawWrites } from "./raw_writes.ts";
import {
  formatPageMemory,
  measurePageMemory,
  TARGET_GROWTH_MB,
} from "./page_memory.ts";
import { runRedisBench } from "./redis_bench.ts";
import { seedUsers } from "./seed.ts";
import { tempKvDir } from "./server_process.ts";

const LEVELS = [10, 100, 1000];
const FULL_SPEED_MS = 4_000;
const FULL_SPEED_SENDERS = 100;
const TARGETS = {
  p99OneProcessMs: 100,
  p99TwoProcessesMs: 600,
  fullSpeedRatio: 0.5,
  rssMb: 150,
};

function check(ok: boolean, text: string): boolean {
  console.log(`  ${ok ? "PASS" : "MISS"}  ${text}`);
  return ok;
}

/** `deno task bench --inbox`: only the inbox rows (they seed their own 10,000 users). */
async function inboxOnly(): Promise<void> {
  await using dir = await tempKvDir();
  const kvPath = dir.path("inbox");
  const seeded = performance.now();
  const users = await seedUsers(kvPath, 10_000);
  console.log(
    `Seeded ${users.length} users with sessions in ${
      ((performance.now() - seeded) / 1000).toFixed(1)
    } s\n`,
  );
  await runInboxBench(kvPath, users);
}

/** `deno task bench --redis`: only the scaling-out rows (three processes, with Redis). */
async function redisOnly(): Promise<void> {
  await using dir = await tempKvDir();
  const kvPath = dir.path("redis");
  const users = await seedUsers(kvPath, Math.max(...LEVELS));
  const { rows, notes, checks } = await runRedisBench(kvPath, users);
  console.log(`\n${HEADER}`);
  for (const row of rows) console.log(row);
  console.log("");
  for (const line of notes) console.log(line);
  for (const c of checks) check(c.ok, c.text);
}

/** `deno task bench --signals`: only the signals rows (issue 12). */
async function signalsOnly(): Promise<boolean> {
  await using dir = await tempKvDir();
  const kvPath = dir.path("signals");
  const users = await seedUsers(kvPath, 1000);
  return await runSignalsBench(kvPath, users);
}

/** `deno task bench --groups`: only the groups rows (issue 13). */
async function groupsOnly(): Promise<boolean> {
  await using dir = await tempKvDir();
  const kvPath = dir.path("groups");
  const users = await seedUsers(kvPath, 1000);
  return await runGroupsBench(kvPath, users);
}

if (import.meta.main && Deno.args.includes("--inbox")) {
  await inboxOnly();
} else if (import.meta.main && Deno.args.includes("--redis")) {
  await redisOnly();
} else if (import.meta.main && Deno.args.includes("--groups")) {
  // Exits explicitly, as --signals does: aborted stream readers may hold the loop.
  Deno.exit(await groupsOnly() ? 0 : 1);
} else if (import.meta.main && Deno.args.includes("--signals")) {
  // Exits explicitly: readers of aborted streams may still hold the event loop.
  Deno.exit(await signalsOnly() ? 0 : 1);
} else if (import.meta.main) {
  const began = performance.now();
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `Natter delivery benchmark, ${new Date().toISOString()}\n` +
      `Machine: ${navigator.hardwareConcurrency} cores (${cpu}), ` +
      `Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}\n` +
      `Load: pairs of people, each long-polling (wait=25) and sending; ` +
      `${SENDS_PER_SECOND} sends/s in total; ${LEVEL_MS / 1000} s per run.\n`,
  );
  await using dir = await tempKvDir();
  const kvPath = dir.path("bench");
  const seeded = performance.now();
  const users = await seedUsers(kvPath, Math.max(...LEVELS));
  console.log(
    `Seeded ${users.length} users with sessions in ${
      ((performance.now() - seeded) / 1000).toFixed(1)
    } s\n`,
  );

  const rows: Row[] = [];
  const ratios: string[] = [];
  for (const count of LEVELS) {
    console.log(`Running ${count} users…`);
    const subset = users.slice(0, count);
    const natter = await level("natter", NATTER, {
      kvPath,
      users: subset,
      checkHolds: count === Math.max(...LEVELS),
    });
    const baseline = await level("baseline (bare serve)", BASELINE, {
      kvPath,
      users: subset,
    });
    rows.push(natter, baseline);
    ratios.push(ratio(natter, baseline));
  }

  console.log("Running two natter processes on one KV file…");
  const two = await level("natter ×2, one KV file", NATTER, {
    kvPath,
    users,
    processes: 2,
  });
  rows.push(two);
  const scaled = await runRedisBench(kvPath, users);

  console.log("Running sends at full speed…");
  const [fastServer] = await startServers(NATTER, kvPath, 1);
  const senders = pairUp(
    users.slice(0, 2 * FULL_SPEED_SENDERS),
    () => fastServer.url,
  )
    .filter((_, i) => i % 2 === 0);
  const fastCpuBefore = cpuSeconds(fastServer.pid);
  const fast = await runFullSpeed(senders, { durationMs: FULL_SPEED_MS });
  const fastCpu = cpuSeconds(fastServer.pid) - fastCpuBefore;
  await fastServer.stop();
  const raw = await measureRawWrites(kvPath, {
    concurrency: FULL_SPEED_SENDERS,
    durationMs: FULL_SPEED_MS,
  });

  console.log("Running chat page views for server memory…");
  const pageMemory = await measurePageMemory();

  console.log(`\n${HEADER}`);
  for (const row of rows) console.log(format(row));
  for (const row of scaled.rows) console.log(row);
  console.log("");
  for (const line of scaled.notes) console.log(line);
  for (const line of ratios) console.log(line);
  console.log(
    `\n  sends at full speed (${FULL_SPEED_SENDERS} senders over HTTP): ${
      fast.perSecond.toFixed(0)
    }/s (${fast.errors} errors, server CPU ${
      (1e6 * fastCpu / fast.sent).toFixed(0)
    } µs per send); raw single-commit KV writes (${FULL_SPEED_SENDERS} loops): ${
      raw.perSecond.toFixed(0)
    }/s; ratio ${(fast.perSecond / raw.perSecond).toFixed(2)}`,
  );

  console.log(formatPageMemory(pageMemory));

  console.log("\nTargets (1,000 users, 100 sends/s, 2 cores):");
  const natterRows = rows.filter((r) => r.label.startsWith("natter"));
  const top = natterRows.find((r) =>
    r.label === "natter" && r.users === Math.max(...LEVELS)
  )!;
  const results = [
    check(
      percentile(top.load.latenciesMs, 99) < TARGETS.p99OneProcessMs,
      `delivery p99 in one process under ${TARGETS.p99OneProcessMs} ms`,
    ),
    check(
      percentile(two.load.latenciesMs, 99) < TARGETS.p99TwoProcessesMs,
      `delivery p99 across two processes under ${TARGETS.p99TwoProcessesMs} ms`,
    ),
    check(
      fast.perSecond >= TARGETS.fullSpeedRatio * raw.perSecond,
      `full-speed sends at least ${TARGETS.fullSpeedRatio} of raw KV writes`,
    ),
    check(
      natterRows.every((r) =>
        r.load.errors === 0 && r.load.undelivered === 0
      ) &&
        fast.errors === 0,
      "no errors and nothing undelivered",
    ),
    check(
      natterRows.every((r) => r.rssMb.every((mb) => mb < TARGETS.rssMb)),
      `every server process under ${TARGETS.rssMb} MB peak RSS`,
    ),
    check(
      natterRows.every((r) => r.exitCodes.every((code) => code === 0)),
      "every server exited 0 on SIGTERM",
    ),
    check(
      pageMemory.errors === 0 &&
        pageMemory.afterMoreMb - pageMemory.afterWarmUpMb < TARGET_GROWTH_MB,
      `server RSS after 1,000 more page views within ${TARGET_GROWTH_MB} MB of the warm-up`,
    ),
    ...scaled.checks.map((c) => check(c.ok, c.text)),
  ];
  console.log("\nInbox (issue 11):");
  await inboxOnly();
  console.log("");
  console.log(formatAttachmentBench(await runAttachmentBench()));
  console.log("\nSignals (issue 12):");
  results.push(await signalsOnly());
  console.log(
    `\n${results.filter(Boolean).length}/${results.length} targets met in ${
      ((performance.now() - began) / 1000).toFixed(0)
    } s`,
  );
}
