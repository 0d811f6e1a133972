/**
 * Production entry point: `deno task start`. Reads the environment (see fresh.config.ts),
 * builds island bundles if they are missing or stale, and serves until SIGINT/SIGTERM.
 */
import { loadConfig } from "./fresh.config.ts";
import { startServer } from "./lib/serve.ts";

if (import.meta.main) {
  const server = await startServer(loadConfig());
  const stop = async () => {
    console.log("Shutting down…");
    await server.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
