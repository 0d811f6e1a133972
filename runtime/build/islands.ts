/**
 * Builds what the browser needs: one ES module per island (plus shared chunks) with
 * esbuild, and `build.json` naming them. Also regenerates `fresh.gen.ts`.
 */
import * as esbuild from "esbuild";
import { islandName } from "../server/routes.ts";
import { generateManifest } from "./manifest.ts";
import type { BuildInfo } from "../server/build_info.ts";

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
              `import { hydrateIsland } from "./runtime/client/hydrate.ts";\n` +
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
