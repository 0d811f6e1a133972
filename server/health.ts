/**
 * `GET /healthz` for load balancers and supervisors: is KV readable, and how is the
 * message bus? Mounted before sessions, CSRF and static files: no auth, no cookies, and
 * `Cache-Control: no-store` so no proxy answers for us.
 */
import type { Context } from "hono";
import type { Db } from "../lib/db/db.ts";

/** KV must answer a read within this long, or the process reports itself unhealthy. */
export const KV_PING_TIMEOUT_MS = 1_000;

/**
 * What /healthz asks a message bus (e.g. a Redis connection). A bus that is "down" does not
 * make the process unhealthy: delivery falls back to re-reading KV, so it is only reported.
 */
export interface BusHealth {
  health(): "ok" | "down";
}

export interface HealthReport {
  status: "ok" | "degraded" | "error";
  kv: "ok" | "down";
  /** "off" when no bus is configured (one process, or processes sharing only KV). */
  bus: "ok" | "down" | "off";
}

/** Checks KV (one read, bounded by `timeoutMs`) and the bus, if any. */
export async function checkHealth(
  db: Db,
  bus: BusHealth | undefined,
  timeoutMs = KV_PING_TIMEOUT_MS,
): Promise<HealthReport> {
  const kv = await kvHealth(db, timeoutMs);
  const busState = bus ? bus.health() : "off";
  const status = kv === "down"
    ? "error"
    : busState === "down"
    ? "degraded"
    : "ok";
  return { status, kv, bus: busState };
}

async function kvHealth(db: Db, timeoutMs: number): Promise<"ok" | "down"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"down">((resolve) => {
    timer = setTimeout(() => resolve("down"), timeoutMs);
  });
  try {
    return await Promise.race([
      db.ping().then(() => "ok" as const, () => "down" as const),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The /healthz handler: 200 while KV answers, 503 (with the failing part) when not. */
export function healthHandler(
  db: Db,
  bus: BusHealth | undefined,
): (c: Context) => Promise<Response> {
  return async (c) => {
    const report = await checkHealth(db, bus);
    c.header("cache-control", "no-store");
    return c.json(report, report.status === "error" ? 503 : 200);
  };
}
