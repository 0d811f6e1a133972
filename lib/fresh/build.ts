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

/**
 * Bundles every island for the browser into `<buildDir>/islands/<buildId>/`. Output folders
 * are content-addressed and `build.json` is replaced atomically, so concurrent builds (tests,
 * `deno task dev`) never see each other's half-written files.
 */
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
  const outdir = `${root}/${buildDir}/islands/out`;
  let outputFiles: esbuild.OutputFile[];
  try {
    const result = await esbuild.build({
      entryPoints,
      absWorkingDir: root,
      outdir,
      write: false,
      bundle: true,
      splitting: true,
      format: "esm",
      target: ["es2022"],
      platform: "browser",
      jsx: "automatic",
      jsxImportSource: "preact",
      minify: options.minify ?? true,
      chunkNames: "chunk-[hash]",
      logLevel: "silent",
      plugins: [{
        // Each entry is a three-line module: import the island, hydrate it.
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
    outputFiles = result.outputFiles;
  } finally {
    await esbuild.stop();
  }
  const hash = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(
      outputFiles.map((f) => f.path + f.hash).join("\n"),
    ),
  );
  const buildId = Array.from(
    new Uint8Array(hash).slice(0, 8),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const target = `${root}/${buildDir}/islands/${buildId}`;
  await Deno.mkdir(target, { recursive: true });
  for (const file of outputFiles) {
    await Deno.writeFile(
      `${target}/${file.path.slice(outdir.length + 1)}`,
      file.contents,
    );
  }
  const info: BuildInfo = {
    buildId,
    islands: Object.fromEntries(
      entryPoints.map((e) => [e.out, `${buildId}/${e.out}.js`]),
    ),
  };
  const tmp = `${root}/${buildDir}/build.json.${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, JSON.stringify(info, null, 2));
  await Deno.rename(tmp, `${root}/${buildDir}/build.json`);
  await removeOldBuilds(`${root}/${buildDir}/islands`, buildId);
  return info;
}

/** Deletes builds older than a day, keeping recent ones that running servers may serve. */
async function removeOldBuilds(dir: string, keep: string): Promise<void> {
  const cutoff = Date.now() - 24 * 60 * 60 * 1000;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory || entry.name === keep) continue;
    const stat = await Deno.stat(`${dir}/${entry.name}`).catch(() => null);
    if (stat?.mtime && stat.mtime.getTime() < cutoff) {
      await Deno.remove(`${dir}/${entry.name}`, { recursive: true }).catch(
        () => {},
      );
    }
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
