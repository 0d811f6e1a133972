/**
 * Server memory against page views: seeds one chat with 50 messages, runs the real server
 * (main.ts, as `deno task start` does) in its own process, and reads its resident memory
 * after a warm-up of 100 views of the chat page and again after 1,000 more. Memory that
 * keeps growing with views is a leak (issue 11, point 9). Run alone with
 * `deno run -A bench/page_memory.ts`; `deno task bench` runs it last.
 */
import { Db } from "../lib/db/db.ts";
import { seedUsers } from "./seed.ts";
import { spawnServer, tempKvDir } from "./server_process.ts";

export const WARM_UP_VIEWS = 100;
export const MEASURED_VIEWS = 1000;
export const MESSAGES = 50;
/** Allowed growth between the two readings. */
export const TARGET_GROWTH_MB = 30;

export interface PageMemoryResult {
  afterWarmUpMb: number;
  afterMoreMb: number;
  errors: number;
}

/** Current resident memory of a process in MB (Linux's VmRSS), or NaN where unavailable. */
export function rssMb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function seedChat(kvPath: string) {
  const [viewer, peer] = await seedUsers(kvPath, 2);
  const db = await Db.open(kvPath);
  try {
    const a = (await db.getUserByName(viewer.name))!;
    const b = (await db.getUserByName(peer.name))!;
    for (let i = 0; i < MESSAGES; i++) {
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      await db.sendMessage({ from, to, text: `Message number ${i} 🙂` });
    }
  } finally {
    db.close();
  }
  return { cookie: viewer.cookie, peer: peer.name };
}

/** Views the chat page `count` times, two at a time; returns how many failed. */
async function view(
  url: string,
  cookie: string,
  count: number,
): Promise<number> {
  let errors = 0;
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const res = await fetch(url, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all([worker(), worker()]);
  return errors;
}

/** Runs the measurement against a fresh server and KV. */
export async function measurePageMemory(): Promise<PageMemoryResult> {
  await using dir = await tempKvDir();
  const kvPath = dir.path("page_memory");
  const { cookie, peer } = await seedChat(kvPath);
  await using server = await spawnServer({ kvPath });
  const page = `${server.url}/chat/${encodeURIComponent(peer)}`;
  let errors = await view(page, cookie, WARM_UP_VIEWS);
  const afterWarmUpMb = rssMb(server.pid);
  errors += await view(page, cookie, MEASURED_VIEWS);
  const afterMoreMb = rssMb(server.pid);
  return { afterWarmUpMb, afterMoreMb, errors };
}

/** The row `deno task bench` prints. */
export function formatPageMemory(result: PageMemoryResult): string {
  const growth = result.afterMoreMb - result.afterWarmUpMb;
  return `  server RSS with ${MESSAGES}-message chat page views: ${
    result.afterWarmUpMb.toFixed(0)
  } MB after ${WARM_UP_VIEWS}, ${
    result.afterMoreMb.toFixed(0)
  } MB after ${MEASURED_VIEWS} more (growth ${
    growth.toFixed(1)
  } MB, target < ${TARGET_GROWTH_MB}; ${result.errors} errors)`;
}

if (import.meta.main) {
  console.log(formatPageMemory(await measurePageMemory()));
}
