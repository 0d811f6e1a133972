/**
 * The groups part of `deno task bench` (issue 13): 1,000 people holding the event stream
 * in one server process, in 20 groups of 50 and in direct pairs; 100 sends/s in total,
 * every other one to a group (then 49 members must see it) and the rest to a partner.
 * Prints delivery p50/p95/p99 to every member (from the 201 to that member's stream), the
 * direct rows' figures beside them, and KV commits per send, counted inside the server by
 * bench/count_commits.ts (a group send's deliveries and status updates included).
 * Run alone with `deno task bench --groups` (about 40 s).
 */
import { readEventBlocks } from "./inbox_load.ts";
import { cpuSeconds, percentile } from "./measure.ts";
import type { BenchUser } from "./seed.ts";
import { spawnServer, startTaskArgs } from "./server_process.ts";

const USERS = 1000;
const GROUPS = 20;
const GROUP_SIZE = 50;
const ROW_MS = 10_000;
const SENDS_PER_SECOND = 100;
const GRACE_MS = 2_000;
const CONNECT_BATCH = 250;
const TARGET_P99_MS = 50;

/** Message id → when each receiver's stream carried it. */
type Arrivals = Map<string, number[]>;

async function readCount(file: string): Promise<number> {
  try {
    return Number(await Deno.readTextFile(file)) || 0;
  } catch {
    return 0;
  }
}

async function readStream(
  server: string,
  user: BenchUser,
  signal: AbortSignal,
  arrivals: Arrivals,
  onConnected: () => void,
): Promise<void> {
  await readEventBlocks(server, user, signal, (block) => {
    if (block.startsWith(": connected")) onConnected();
    if (!block.includes("event: message")) return;
    const event = JSON.parse(block.slice(block.indexOf("data: ") + 6));
    if (event.message.from === user.name) return;
    const list = arrivals.get(event.message.id) ?? [];
    list.push(performance.now());
    arrivals.set(event.message.id, list);
  });
}

async function post(
  server: string,
  user: BenchUser,
  path: string,
  body: unknown,
): Promise<Response> {
  return await fetch(`${server}${path}`, {
    method: "POST",
    headers: {
      cookie: user.cookie,
      "content-type": "application/json",
      origin: server,
    },
    body: JSON.stringify(body),
  });
}

interface Sent {
  id: string;
  at: number;
  expected: number;
  group: boolean;
}

/** Runs the groups row and prints it; returns whether the p99 target was met. */
export async function runGroupsBench(
  kvPath: string,
  users: BenchUser[],
): Promise<boolean> {
  const people = users.slice(0, USERS);
  const commitsFile = await Deno.makeTempFile({ prefix: "natter-commits-" });
  const args = startTaskArgs();
  args.splice(1, 0, "--preload", "bench/count_commits.ts");
  await using server = await spawnServer({
    kvPath,
    args,
    env: { BENCH_COMMITS_FILE: commitsFile },
  });
  const groups: Array<{ id: string; members: BenchUser[] }> = [];
  for (let g = 0; g < GROUPS; g++) {
    const members = people.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
    const res = await post(server.url, members[0], "/api/groups", {
      name: `Bench ${g}`,
      members: members.slice(1).map((m) => m.name),
    });
    if (res.status !== 201) {
      throw new Error(`create group: HTTP ${res.status} ${await res.text()}`);
    }
    groups.push({ id: (await res.json()).conversation.id, members });
  }
  const arrivals: Arrivals = new Map();
  const controllers: AbortController[] = [];
  const readers: Promise<void>[] = [];
  const streamErrors: string[] = [];
  for (let start = 0; start < people.length; start += CONNECT_BATCH) {
    await Promise.all(
      people.slice(start, start + CONNECT_BATCH).map((user) => {
        const controller = new AbortController();
        controllers.push(controller);
        const connected = Promise.withResolvers<void>();
        readers.push(
          readStream(
            server.url,
            user,
            controller.signal,
            arrivals,
            connected.resolve,
          )
            .catch((error) => {
              if (!controller.signal.aborted) streamErrors.push(String(error));
              connected.resolve();
            }),
        );
        return connected.promise;
      }),
    );
  }
  try {
    await new Promise((r) => setTimeout(r, 3_000));
    const before = await readCount(commitsFile);
    const cpuBefore = cpuSeconds(server.pid);
    const clientCpuBefore = cpuSeconds(Deno.pid);
    const sent: Sent[] = [];
    let errors = 0;
    const inflight: Promise<void>[] = [];
    const began = performance.now();
    const total = Math.round(SENDS_PER_SECOND * ROW_MS / 1000);
    for (let i = 0; i < total; i++) {
      const wait = began + i * 1000 / SENDS_PER_SECOND - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const toGroup = i % 2 === 0;
      const n = Math.floor(i / 2);
      let request: Promise<Response>;
      if (toGroup) {
        const group = groups[n % GROUPS];
        const from = group.members[Math.floor(n / GROUPS) % GROUP_SIZE];
        request = post(server.url, from, `/api/groups/${group.id}/messages`, {
          text: `group bench ${i}`,
        });
      } else {
        const a = (2 * n) % people.length;
        request = post(
          server.url,
          people[a],
          `/api/conversations/${people[a + 1].name}/messages`,
          { text: `bench ${i}` },
        );
      }
      inflight.push(
        request.then(async (res) => {
          const body = await res.json();
          if (res.status !== 201) throw new Error(`send: HTTP ${res.status}`);
          sent.push({
            id: body.message.id,
            at: performance.now(),
            expected: toGroup ? GROUP_SIZE - 1 : 1,
            group: toGroup,
          });
        }).catch(() => {
          errors++;
        }),
      );
    }
    await Promise.all(inflight);
    const deadline = performance.now() + GRACE_MS;
    while (performance.now() < deadline) {
      if (sent.every((s) => (arrivals.get(s.id)?.length ?? 0) >= s.expected)) {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - began) / 1000;
    const commits = await readCount(commitsFile) - before;
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const clientCpu = cpuSeconds(Deno.pid) - clientCpuBefore;
    const groupMs: number[] = [];
    const directMs: number[] = [];
    let missing = 0;
    for (const s of sent) {
      const times = arrivals.get(s.id) ?? [];
      missing += Math.max(0, s.expected - times.length);
      for (const t of times) {
        (s.group ? groupMs : directMs).push(Math.max(0, t - s.at));
      }
    }
    const p = (v: number[]) =>
      [50, 95, 99].map((q) => percentile(v, q).toFixed(1).padStart(6))
        .join(" | ");
    const load = await Deno.readTextFile("/proc/loadavg").catch(() => "?");
    console.log(
      `\nGroups: ${people.length} people holding the stream, ${GROUPS} groups of ${GROUP_SIZE}, ` +
        `${SENDS_PER_SECOND} sends/s (half to groups, half to direct pairs), ${
          ROW_MS / 1000
        } s; load average ${load.split(" ").slice(0, 3).join(" ")}`,
    );
    console.log(
      "| deliveries              | count | p50 ms | p95 ms | p99 ms |\n" +
        "| ----------------------- | ----: | -----: | -----: | -----: |",
    );
    console.log(
      `| group, to every member  | ${String(groupMs.length).padStart(5)} | ${
        p(groupMs)
      } |`,
    );
    console.log(
      `| direct, to the partner  | ${String(directMs.length).padStart(5)} | ${
        p(directMs)
      } |`,
    );
    console.log(
      `  sends ${sent.length} (errors ${errors}), deliveries missing ${missing}, ` +
        `stream errors ${streamErrors.length}; KV commits ${commits} = ${
          (commits / Math.max(1, sent.length)).toFixed(2)
        } per send (${
          (commits / seconds).toFixed(0)
        }/s, sends + deliveries + statuses); CPU in ${
          seconds.toFixed(1)
        } s: server ${cpu.toFixed(1)} s, bench client ${
          clientCpu.toFixed(1)
        } s`,
    );
    const ok = percentile(groupMs, 99) < TARGET_P99_MS && missing === 0;
    console.log(
      `  ${
        ok ? "PASS" : "MISS"
      }  group delivery p99 to every member under ${TARGET_P99_MS} ms, none missing`,
    );
    return ok;
  } finally {
    for (const c of controllers) c.abort();
    await Promise.race([
      Promise.allSettled(readers),
      new Promise((r) => setTimeout(r, 3_000)),
    ]);
    await Deno.remove(commitsFile).catch(() => {});
  }
}
