/**
 * Builds what the browser needs: one ES module per island (plus shared chunks) with
 * esbuild, and `build.json` naming them. Also regenerates `fresh.gen.ts`.
 */
import * as esbuild from "esbuild";
import { generateManifest, islandName } from "./manifest.ts";

export interface BuildInfo {
  buildId: string;
  /** Island name → bundle file name inside the build directory's `islands/`. */
  islands: Record<string, string>;
}

const SOURCE_DIRS = ["islands", "components", "lib", "routes"];

/** Writes `fresh.gen.ts` if its content changed; returns true when it did. */
export async function writeManifest(root: string): Promise<boolean> {
  const path = `${root}/fresh.gen.ts`;
  const next = await generateManifest(root);
  const current = await Deno.readTextFile(path).catch(() => "");
  if (current === next) return false;
  await Deno.writeTextFile(path, next);
  return true;
}

/** Bundles every island for the browser into `<buildDir>/islands/`. */
export async function buildIslands(
  root: string,
  buildDir: string,
  options: { minify?: boolean } = {},
): Promise<BuildInfo> {
  const islandFiles: string[] = [];
  for await (const entry of Deno.readDir(`${root}/islands`)) {
    if (/\.tsx?$/.test(entry.name)) islandFiles.push(`./islands/${entry.name}`);
  }
  const entryPoints = islandFiles.sort().map((file) => ({
    in: `island:${islandName(file)}`,
    out: islandName(file),
  }));
  const outdir = `${root}/${buildDir}/islands`;
  await Deno.remove(outdir, { recursive: true }).catch(() => {});
  try {
    const result = await esbuild.build({
      entryPoints,
      absWorkingDir: root,
      outdir,
      bundle: true,
      splitting: true,
      format: "esm",
      target: ["es2022"],
      platform: "browser",
      jsx: "automatic",
      jsxImportSource: "preact",
      minify: options.minify ?? true,
      chunkNames: "chunk-[hash]",
      metafile: true,
      logLevel: "silent",
      plugins: [{
        // Each entry is a two-line module: import the island, hydrate it.
        name: "island-entries",
        setup(build) {
          build.onResolve({ filter: /^island:/ }, (args) => ({
            path: args.path.slice("island:".length),
            namespace: "island-entry",
          }));
          build.onLoad({ filter: /.*/, namespace: "island-entry" }, (args) => ({
            contents: `import Island from "./islands/${args.path}.tsx";\n` +
              `import { hydrateIsland } from "./lib/fresh/client.ts";\n` +
              `hydrateIsland(${JSON.stringify(args.path)}, Island);\n`,
            resolveDir: root,
            loader: "ts",
          }));
        },
      }],
    });
    const bytes = new TextEncoder().encode(
      JSON.stringify(result.metafile.outputs),
    );
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const buildId = Array.from(
      new Uint8Array(digest).slice(0, 8),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const info: BuildInfo = {
      buildId,
      islands: Object.fromEntries(
        entryPoints.map((e) => [e.out, `${e.out}.js`]),
      ),
    };
    await Deno.writeTextFile(
      `${root}/${buildDir}/build.json`,
      JSON.stringify(info, null, 2),
    );
    return info;
  } finally {
    await esbuild.stop();
  }
}

async function newestMtime(path: string): Promise<number> {
  let newest = 0;
  for await (const entry of Deno.readDir(path)) {
    const child = `${path}/${entry.name}`;
    if (entry.isDirectory) newest = Math.max(newest, await newestMtime(child));
    else {newest = Math.max(
        newest,
        (await Deno.stat(child)).mtime?.getTime() ?? 0,
      );}
  }
  return newest;
}

/** True when no build exists or a source file is newer than it. */
export async function buildIsStale(
  root: string,
  buildDir: string,
): Promise<boolean> {
  const stamp = await Deno.stat(`${root}/${buildDir}/build.json`).catch(() =>
    null
  );
  if (!stamp?.mtime) return true;
  for (const dir of SOURCE_DIRS) {
    const newest = await newestMtime(`${root}/${dir}`).catch(() => 0);
    if (newest > stamp.mtime.getTime()) return true;
  }
  return false;
}

/** Reads `build.json`; throws a clear error when the app was never built. */
export async function readBuildInfo(
  root: string,
  buildDir: string,
): Promise<BuildInfo> {
  try {
    return JSON.parse(
      await Deno.readTextFile(`${root}/${buildDir}/build.json`),
    );
  } catch {
    throw new Error(
      `Cannot start: no island build in ${buildDir}/. Run "deno task build" first.`,
    );
  }
}
