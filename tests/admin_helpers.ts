/**
 * Fixtures for the admin command tests: a temp KV file per test, and `deno task admin`
 * run as a subprocess with exactly the permissions of the task in deno.json.
 */
import { Db } from "../lib/db/db.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const [RUN, ...PERMISSIONS]: string[] = JSON.parse(
  await Deno.readTextFile(`${ROOT}deno.json`),
).tasks.admin.split(/\s+/).slice(1);
// node_modules is already installed by the test run: "manual" keeps parallel subprocesses
// from queueing on its lock (and printing "Blocking waiting for file lock" to stderr).
const TASK_ARGS = [RUN, "--node-modules-dir=manual", ...PERMISSIONS];

export interface AdminResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno task admin <args>` against the KV at `kvPath`, feeding `stdin`. */
export async function runAdmin(
  kvPath: string,
  args: string[],
  stdin = "",
): Promise<AdminResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...TASK_ARGS, ...args],
    cwd: ROOT,
    env: { DENO_KV_PATH: kvPath, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A temp folder for KV files, removed on dispose. */
export async function tempDir(): Promise<
  { path: string; kv: (name?: string) => string } & AsyncDisposable
> {
  const path = await Deno.makeTempDir({ prefix: "natter_admin_" });
  return {
    path,
    kv: (name = "kv") => `${path}/${name}.sqlite3`,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** Opens the KV file a subprocess uses (use with `using`). */
export async function openKv(path: string): Promise<Db & Disposable> {
  const db = await Db.open(path);
  return Object.assign(db, { [Symbol.dispose]: () => db.close() });
}

/** Every key and value in a KV, for "nothing left behind" checks. */
export async function dumpAll(
  db: Db,
): Promise<Array<{ key: Deno.KvKey; value: unknown }>> {
  const entries = [];
  for await (const entry of db.kv.list({ prefix: [] })) {
    entries.push({ key: entry.key, value: entry.value });
  }
  return entries;
}
