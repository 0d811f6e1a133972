/**
 * The production half of the build: reading `build.json` and telling whether it is stale.
 * No esbuild here, so serving never loads the bundler unless a rebuild is due.
 */

export interface BuildInfo {
  buildId: string;
  /** Island name → bundle file name inside the build directory's `islands/`. */
  islands: Record<string, string>;
}

/** Folders whose files end up in island bundles (client/ holds the islands' logic). */
const SOURCE_DIRS = [
  "islands",
  "components",
  "client",
  "lib",
  "routes",
  "runtime",
];

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
