/**
 * lib/db/ is the only code that touches Deno KV. This scans the app's own source (not
 * tests, benchmarks or generated output) for anything that opens KV, holds a `Deno.Kv` or
 * calls its methods, so a shortcut around the entity modules fails here.
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;
/** Folders that may use KV (lib/db) or are not app code. */
const SKIPPED = new Set([
  "lib/db",
  "tests",
  "bench",
  "node_modules",
  "_fresh",
  "data",
  "test-results",
  "static",
  "docs",
]);

/** Ways to reach KV: open it, name its handle types, or call a handle's methods. */
const KV_USES: Array<[string, RegExp]> = [
  ["Deno.openKv", /\bDeno\s*\.\s*openKv\b/],
  ["a Deno.Kv handle", /\bDeno\s*\.\s*(Kv|AtomicOperation)\b(?![\w])/],
  ["an atomic operation", /\.\s*atomic\s*\(/],
  [
    "a KV method call",
    /\bkv\s*\??\.\s*(get|getMany|list|set|delete|watch|enqueue|listenQueue|sum|commit|close)\s*\(/i,
  ],
  ["a Db's raw KV handle", /\.\s*kv\b(?!\w)/],
];

/** Comments may name KV APIs (to say why something is not done here); code may not. */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    // A `//` after a colon is a URL, not a comment.
    .replace(/(^|[^:])\/\/.*$/gm, "$1");
}

async function* sourceFiles(dir = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(ROOT + dir)) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.name.startsWith(".") || SKIPPED.has(path)) continue;
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.(ts|tsx)$/.test(entry.name)) yield path;
  }
}

function kvUses(source: string): string[] {
  const code = stripComments(source);
  return KV_USES.filter(([, pattern]) => pattern.test(code)).map(([what]) =>
    what
  );
}

Deno.test("the KV detector recognises every way of reaching KV", () => {
  const samples = [
    "const kv = await Deno.openKv(path);",
    "function f(kv: Deno.Kv) {}",
    "db.kv.atomic().set(['x'], 1).commit();",
    "await kv.list({ prefix: [] });",
    "for await (const e of state.db.kv.list({ prefix: [] })) {}",
    "kv.watch([['a']]);",
  ];
  for (const sample of samples) {
    assert.notDeepEqual(kvUses(sample), [], sample);
  }
  assert.deepEqual(kvUses("const key: Deno.KvKey = ['a']; // Deno.openKv"), []);
  assert.deepEqual(kvUses("new Deno.KvU64(1n);"), []);
});

Deno.test("no module outside lib/db/ opens or uses Deno KV directly", async () => {
  const offenders: string[] = [];
  let scanned = 0;
  for await (const path of sourceFiles()) {
    scanned++;
    const uses = kvUses(await Deno.readTextFile(ROOT + path));
    if (uses.length > 0) offenders.push(`${path}: ${uses.join(", ")}`);
  }
  assert.ok(scanned > 50, `scanned only ${scanned} files`);
  assert.deepEqual(offenders, [], "KV used outside lib/db/");
});

Deno.test("lib/db/ itself (where KV is opened) is found by the same detector (the scan is not vacuous)", async () => {
  const source = await Deno.readTextFile(`${ROOT}lib/db/kv_pool.ts`);
  assert.ok(kvUses(source).length > 0);
});
