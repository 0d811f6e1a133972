/**
 * `deno task admin` loads the domain and KV code only: no pages, islands, build half of the
 * runtime or esbuild, so it starts fast and needs no more than its narrow permissions.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

interface InfoDependency {
  specifier: string;
  code?: { error?: string };
  type?: { error?: string };
}

interface InfoModule {
  specifier: string;
  kind?: string;
  npmPackage?: string;
  error?: string;
  dependencies?: InfoDependency[];
}

interface Info {
  modules: InfoModule[];
  npmPackages?: Record<string, { dependencies?: string[] }>;
}

async function denoInfo(entry: string, flags: string[]): Promise<Info> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ...flags, entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Every resolution error in the graph; a graph with holes could hide an import. */
function errorsOf(info: Info): string[] {
  return info.modules.flatMap((module) => [
    ...(module.error ? [`${module.specifier}: ${module.error}`] : []),
    ...(module.dependencies ?? []).flatMap((dep) =>
      [dep.code?.error, dep.type?.error].filter(Boolean).map((error) =>
        `${module.specifier} -> ${dep.specifier}: ${error}`
      )
    ),
  ]);
}

/**
 * The module graph of `entry`. `--node-modules-dir=manual` reads node_modules as it is,
 * so this never waits on the lock of a concurrent install; without node_modules (a fresh
 * clone) it cannot resolve npm imports, and the project's own setting is used instead.
 */
async function moduleGraph(entry: string): Promise<Info> {
  const manual = await denoInfo(entry, ["--node-modules-dir=manual"]);
  if (errorsOf(manual).length === 0) return manual;
  return denoInfo(entry, []);
}

/** npm packages (`name@version`) in the graph, whichever way node_modules is read. */
function npmPackagesOf(info: Info): Set<string> {
  const found = new Set<string>();
  const add = (id: string) => {
    if (found.has(id)) return;
    found.add(id);
    for (const dep of info.npmPackages?.[id]?.dependencies ?? []) add(dep);
  };
  for (const module of info.modules) {
    if (module.npmPackage) add(module.npmPackage);
    const local = /\/node_modules\/\.deno\/([^/]+)\//.exec(module.specifier);
    if (local) add(decodeURIComponent(local[1]).replace(/\+/g, "/"));
  }
  return found;
}

Deno.test("the admin task's module graph holds no routes, islands, runtime build, fresh.gen.ts or esbuild", async () => {
  const info = await moduleGraph("tasks/admin.ts");
  assert.deepEqual(errorsOf(info), []);
  const local = info.modules
    .map((module) => module.specifier)
    .filter((specifier) =>
      specifier.startsWith(ROOT.href) && !specifier.includes("/node_modules/")
    )
    .map((specifier) => specifier.slice(ROOT.href.length));
  console.log(`deno info tasks/admin.ts: ${local.length} local modules`);
  assert.ok(local.includes("tasks/admin.ts") && local.includes("lib/db/db.ts"));
  const forbidden = local.filter((path) =>
    /^(routes|islands|runtime\/build)\//.test(path) || path === "fresh.gen.ts"
  );
  assert.deepEqual(forbidden, []);
  const npm = [...npmPackagesOf(info)];
  assert.ok(npm.some((id) => id.startsWith("zod@")), npm.join(", "));
  assert.deepEqual(
    npm.filter((id) => /^(@esbuild\/[^@]+|esbuild)@/.test(id)),
    [],
  );
});
