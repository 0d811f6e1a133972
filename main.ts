/**
 * Production entry point: `deno task start`. Reads the environment (see fresh.config.ts),
 * builds island bundles if they are missing or stale, and serves until SIGINT/SIGTERM:
 * then it stops accepting, answers held long polls, closes KV and exits 0.
 */
import { ConfigError, loadConfig } from "./fresh.config.ts";
import { createLogger, type Logger } from "./server/log.ts";
import { type RunningServer, startServer } from "./server/serve.ts";

/**
 * Held polls answer at once on shutdown; anything still running after this is cut, so the
 * process is gone within 5 s of the signal (Deno Deploy sends SIGINT, then kills after 5 s).
 */
export const SHUTDOWN_GRACE_MS = 4_000;

if (import.meta.main) {
  let server: RunningServer;
  let log: Logger;
  try {
    const config = loadConfig();
    log = createLogger(config.logFormat);
    server = await startServer(config);
  } catch (error) {
    // An operator's mistake gets one line naming the setting, not a stack trace.
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    // A second signal means "now": a supervisor or a person who will not wait.
    if (stopping) Deno.exit(1);
    stopping = true;
    log.info("Shutting down…");
    const timer = setTimeout(() => {
      log.error("Shutdown took too long; exiting with requests still open");
      Deno.exit(1);
    }, SHUTDOWN_GRACE_MS);
    await server.shutdown();
    clearTimeout(timer);
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
