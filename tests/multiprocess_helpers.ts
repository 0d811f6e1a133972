/** Helpers for the tests that run several real Natter processes on one KV file and Redis. */
import { type ServerProcess, spawnServer } from "../bench/server_process.ts";
import { TestClient } from "./helpers.ts";
import { waitFor } from "./wait_for.ts";

/** The same browser profile (cookies) talking to another server process. */
export function sameUserOn(client: TestClient, url: string): TestClient {
  const other = new TestClient(url);
  for (const [name, value] of client.cookies) other.cookies.set(name, value);
  return other;
}

/** Three processes on `kvPath` and the Redis at `redisUrl` (plus `env`), stopped on dispose. */
export async function threeProcesses(
  kvPath: string,
  redisUrl: string,
  env: Record<string, string> = {},
) {
  const servers: ServerProcess[] = [];
  // One after the other: the first start may build island bundles and migrate.
  for (let i = 0; i < 3; i++) {
    servers.push(
      await spawnServer({
        kvPath,
        env: { NATTER_REDIS_URL: redisUrl, ...env },
      }),
    );
  }
  return Object.assign(servers, {
    [Symbol.asyncDispose]: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  });
}

/** What `/healthz` says of the bus on `server`. */
export async function busOf(server: ServerProcess): Promise<string> {
  const res = await fetch(`${server.url}/healthz`);
  return (await res.json()).bus;
}

/** Waits until every process reports the bus as `status`. */
export async function busEverywhere(
  servers: ServerProcess[],
  status: "ok" | "down",
): Promise<void> {
  await waitFor(
    async () =>
      (await Promise.all(servers.map(busOf))).every((s) => s === status),
    `every process to report the bus ${status}`,
  );
}

/** Fails with `what` unless `promise` settles within `ms` (a bound, not a measurement). */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
