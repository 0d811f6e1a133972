/**
 * Starts the HTTP server: opens KV, makes sure island bundles exist, serves the app, and
 * shuts down cleanly (stop accepting, answer held requests, close KV) when asked.
 */
import type { AppConfig } from "../fresh.config.ts";
import manifest from "../fresh.gen.ts";
import { createApp } from "./app.ts";
import type { Db } from "../lib/db/db.ts";
import { openDb } from "../lib/db/open.ts";
import { buildIsStale, readBuildInfo } from "../runtime/server/build_info.ts";
import { closeHeadWaiter } from "../lib/long_poll.ts";
import { LocalBus } from "../lib/bus.ts";
import { watchOtherWriters } from "../lib/inbox_watch.ts";

export const PROJECT_ROOT = new URL("..", import.meta.url).pathname.replace(
  /\/$/,
  "",
);

export interface RunningServer {
  /** The origin the server listens on, e.g. `http://127.0.0.1:8000`. */
  url: string;
  port: number;
  db: Db;
  /** Stops accepting, ends held requests, closes KV. Idempotent. */
  shutdown(): Promise<void>;
  /** Resolves once the server has fully stopped. */
  finished: Promise<void>;
}

/** Serves the app with `config`; builds island bundles first when they are out of date. */
export async function startServer(
  config: AppConfig,
  options: { db?: Db; quiet?: boolean; streamHeartbeatMs?: number } = {},
): Promise<RunningServer> {
  // On Deno Deploy nothing is written at run time: bundles come from `deno task build`.
  if (!config.isDeploy && await buildIsStale(PROJECT_ROOT, config.buildDir)) {
    // Loaded only when needed, so a built deployment never imports esbuild.
    const { buildIslands } = await import("../runtime/build/islands.ts");
    await buildIslands(PROJECT_ROOT, config.buildDir);
  }
  const build = await readBuildInfo(PROJECT_ROOT, config.buildDir);
  const db = options.db ?? await openDb(config);
  const stopping = new AbortController();
  const bus = new LocalBus();
  const stopWriterWatch = watchOtherWriters(db, bus);
  const app = createApp({
    bus,
    streamHeartbeatMs: options.streamHeartbeatMs,
    db,
    config,
    manifest,
    build,
    root: PROJECT_ROOT,
    shutdown: stopping.signal,
  });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
  }, app.fetch);
  const addr = await listening.promise;
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  if (!options.quiet) console.log(`Natter is listening on ${url}`);

  let closing: Promise<void> | null = null;
  const shutdown = () => {
    closing ??= (async () => {
      // `server.shutdown()` stops accepting and lets requests in flight finish (aborting
      // Deno.serve's own signal would cut them); `stopping` wakes the held long polls so
      // they answer now. Only once every answer is out may KV close.
      const drained = server.shutdown();
      stopping.abort();
      await drained;
      await server.finished;
      stopWriterWatch();
      closeHeadWaiter(db);
      db.close();
    })();
    return closing;
  };
  return { url, port: addr.port, db, shutdown, finished: server.finished };
}
