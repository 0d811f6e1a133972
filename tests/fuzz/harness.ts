/**
 * The fuzz suite's fixture: the real server on port 0 with two signed-in people, one
 * request at a time, and the checks every answer must pass.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { registerPair, startTestServer, type TestClient } from "../helpers.ts";
import { fuzzSeed } from "./arbitraries.ts";

/**
 * Runs per property: enough to hit each kind of hostile value, small enough for 2 busy
 * cores. `FUZZ_RUNS=<n>` multiplies them for a longer hunt.
 */
export const NUM_RUNS = 60;
const SCALE = Number(Deno.env.get("FUZZ_RUNS") ?? 1) || 1;

export type FuzzServer = Awaited<ReturnType<typeof startFuzzServer>>;

/** The real server with Alice and Bob registered; Alice's session cookie is at hand. */
export async function startFuzzServer(env: Record<string, string> = {}) {
  const server = await startTestServer(env);
  const pair = await registerPair(server.url);
  return {
    ...server,
    ...pair,
    aliceCookie: cookieHeader(pair.alice),
  };
}

function cookieHeader(client: TestClient): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** Every entry in the server's KV: a refusal must leave the count unchanged. */
export async function kvEntryCount(server: FuzzServer): Promise<number> {
  let count = 0;
  for await (const _ of server.db.kv.list({ prefix: [] })) count++;
  return count;
}

/** One request, never following redirects; `cookie` replaces the browser's cookies. */
export function send(
  server: FuzzServer,
  path: string,
  init: RequestInit & { cookie?: string } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("cookie", init.cookie);
  return fetch(`${server.url}${path}`, {
    ...init,
    headers,
    redirect: "manual",
    signal: AbortSignal.timeout(20_000),
  });
}

/** No 5xx, and every error under /api is the JSON envelope; returns the status. */
export async function assertWellBehaved(
  res: Response,
  what: string,
): Promise<number> {
  const body = await res.text();
  assert.ok(
    res.status < 500,
    `${what}: HTTP ${res.status} ${body.slice(0, 300)}`,
  );
  // A HEAD answer has the envelope's headers but, by definition, no body.
  if (
    new URL(res.url).pathname.startsWith("/api/") && res.status >= 400 &&
    !what.startsWith("HEAD ")
  ) {
    assert.match(
      res.headers.get("content-type") ?? "",
      /^application\/json/,
      what,
    );
    const parsed = JSON.parse(body);
    assert.equal(typeof parsed.error?.code, "string", `${what}: ${body}`);
    assert.equal(typeof parsed.error?.message, "string", `${what}: ${body}`);
  }
  return res.status;
}

/**
 * Checks one request: well behaved, and nothing stored when it was refused (4xx). A
 * redirect or 2xx may store (a message sent, a sign-in started): that is its job.
 */
export async function check(
  server: FuzzServer,
  what: string,
  request: () => Promise<Response>,
): Promise<void> {
  const before = await kvEntryCount(server);
  const status = await assertWellBehaved(await request(), what);
  if (status >= 400) {
    // Fewer is allowed: a refused provider callback still spends its single-use state.
    const after = await kvEntryCount(server);
    assert.ok(
      after <= before,
      `${what}: stored ${after - before} on ${status}`,
    );
  }
}

/** Runs a seeded property (the seed is printed; FUZZ_SEED replays it). */
export async function fuzz<Ts extends [unknown, ...unknown[]]>(
  name: string,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  run: (...args: Ts) => Promise<void>,
  numRuns = NUM_RUNS,
  /** False when a limiter caps how many runs make sense (FUZZ_RUNS is then ignored). */
  scalable = true,
): Promise<void> {
  await fc.assert(fc.asyncProperty(...arbitraries, run), {
    seed: fuzzSeed(name),
    numRuns: scalable ? Math.ceil(numRuns * SCALE) : numRuns,
    // Shrinking re-sends many requests; the first counterexample and its seed suffice.
    endOnFailure: true,
  });
}

/** The server still answers: nothing above took it down. */
export async function assertStillUp(server: FuzzServer): Promise<void> {
  const res = await fetch(`${server.url}/login`);
  await res.body?.cancel();
  assert.equal(res.status, 200);
}
