/**
 * Starts the HTTP server: opens KV, runs pending migrations, makes sure island bundles exist, serves the app, and
 * shuts down cleanly (stop accepting, answer held requests, close KV) when asked.
 */
import { type AppConfig, ConfigError } from "../fresh.config.ts";
import manifest from "../fresh.gen.ts";
import { createApp } from "./app.ts";
import type { Db } from "../lib/db/db.ts";
import { openDb } from "../lib/db/open.ts";
import { buildIsStale, readBuildInfo } from "../runtime/server/build_info.ts";
import { closeHeadWaiter, createHeadWaiter } from "../lib/long_poll.ts";
import { type Bus, LocalBus } from "../lib/bus.ts";
import { RedisBus } from "../lib/redis_bus.ts";
import { redisBuckets } from "./redis_buckets.ts";
import { watchOtherWriters } from "../lib/inbox_watch.ts";
import type { BusHealth } from "./health.ts";
import { createLogger } from "./log.ts";

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
  options: {
    db?: Db;
    quiet?: boolean;
    busHealth?: BusHealth;
    streamHeartbeatMs?: number;
  } = {},
): Promise<RunningServer> {
  // On Deno Deploy nothing is written at run time: bundles come from `deno task build`.
  if (!config.isDeploy && await buildIsStale(PROJECT_ROOT, config.buildDir)) {
    // Loaded only when needed, so a built deployment never imports esbuild.
    const { buildIslands } = await import("../runtime/build/islands.ts");
    await buildIslands(PROJECT_ROOT, config.buildDir);
  }
  const build = await readBuildInfo(PROJECT_ROOT, config.buildDir);
  const db = options.db ?? await openConfiguredDb(config);
  // Upgrades data written by an older version before any request can read it; when
  // several processes start on one KV, one migrates and the others wait here.
  const log = createLogger(config.logFormat);
  await db.migrate({
    log: options.quiet ? undefined : (line) => log.info(line),
  });
  const stopping = new AbortController();
  // With Redis, wake-ups, presence and limits are shared; without it (or while it is
  // down) the periodic re-read of lib/inbox_watch.ts carries other processes' commits.
  const onlineMs = config.onlineWindowMs;
  const redisBus = config.redisUrl
    ? new RedisBus(config.redisUrl, log, { onlineMs })
    : null;
  const bus: Bus = redisBus ?? new LocalBus({ onlineMs });
  const stopWriterWatch = watchOtherWriters(db, bus);
  createHeadWaiter(db, {
    remoteKv: isRemoteKv(config.kvPath),
    sharedBus: redisBus !== null,
    skipRecheck: () => bus.health?.() === "ok",
  });
  const app = await createApp({
    bus,
    streamHeartbeatMs: options.streamHeartbeatMs,
    db,
    config,
    manifest,
    build,
    root: PROJECT_ROOT,
    shutdown: stopping.signal,
    busHealth: options.busHealth ?? redisBus ?? undefined,
    sharedBuckets: redisBus ? redisBuckets(redisBus.client) : undefined,
  });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      port: config.port,
      hostname: config.host,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
    }, app.fetch);
  } catch (error) {
    await bus.close?.();
    if (!options.db) db.close();
    throw listenError(config, error);
  }
  const addr = await listening.promise;
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  const url = `http://${host}:${addr.port}`;
  if (!options.quiet) {
    log.info(`Natter is listening on ${url}`, {
      url,
    });
  }

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
      await bus.close?.();
      closeHeadWaiter(db);
      db.close();
    })();
    return closing;
  };
  return { url, port: addr.port, db, shutdown, finished: server.finished };
}

/** Opens KV, turning any failure (bad folder, unwritable, corrupt file) into a ConfigError. */
async function openConfiguredDb(config: AppConfig): Promise<Db> {
  try {
    return await openDb(config, { readers: config.kvReaders });
  } catch (error) {
    throw new ConfigError(
      "DENO_KV_PATH",
      config.kvPath ?? "(platform default)",
      `cannot be opened: ${
        await kvPathProblem(config.kvPath) ?? reasonOf(error)
      }`,
    );
  }
}

/** Names the setting behind a failure to listen: the port when it is taken or refused, else the host. */
function listenError(config: AppConfig, error: unknown): ConfigError {
  const reason = reasonOf(error);
  if (
    error instanceof Deno.errors.AddrInUse ||
    error instanceof Deno.errors.PermissionDenied
  ) {
    return new ConfigError(
      "PORT",
      String(config.port),
      `cannot be used on ${config.host}: ${reason}`,
    );
  }
  return new ConfigError(
    "HOST",
    config.host,
    `cannot be listened on (port ${config.port}): ${reason}`,
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A clearer reason than mkdir's "File exists" when a folder on the path is a file. */
async function kvPathProblem(path: string | undefined): Promise<string | null> {
  const parts = path?.split("/").slice(0, -1) ?? [];
  for (let i = 1; i <= parts.length; i++) {
    const folder = parts.slice(0, i).join("/");
    if (!folder) continue;
    const info = await Deno.stat(folder).catch(() => null);
    if (info && !info.isDirectory) return `"${folder}" is a file, not a folder`;
  }
  return null;
}

/** KV reached over the network: a URL, or the platform's own KV on Deno Deploy (no path). */
function isRemoteKv(kvPath: string | undefined): boolean {
  return kvPath === undefined || /^https?:\/\//.test(kvPath);
}
