/**
 * Development entry point. `deno task build` (`dev.ts build`) regenerates fresh.gen.ts and
 * the island bundles, then exits. `deno task dev` does the same and serves the app;
 * Deno's --watch restarts it (and so rebuilds) whenever a source file changes.
 */
import { loadConfig } from "./fresh.config.ts";
import { buildIslands, writeManifest } from "./runtime/build/islands.ts";

const root = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const config = loadConfig();

const manifestChanged = await writeManifest(root);
const build = await buildIslands(root, config.buildDir, {
  minify: Deno.args[0] === "build",
});
console.log(
  `Built ${
    Object.keys(build.islands).length
  } island(s) into ${config.buildDir}/ (build ${build.buildId})` +
    (manifestChanged ? "; fresh.gen.ts updated" : ""),
);

if (Deno.args[0] !== "build") {
  // Imported after the manifest is written, so a new route is served on this run.
  const { startServer } = await import("./server/serve.ts");
  const server = await startServer(config);
  Deno.addSignalListener("SIGINT", async () => {
    await server.shutdown();
    Deno.exit(0);
  });
}
