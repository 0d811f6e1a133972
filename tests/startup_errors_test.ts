/**
 * Operator errors: `deno task start` (main.ts) with a setting it cannot use ends with one
 * line naming the setting, its value and the reason, exit status 1, and no stack trace.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../server/serve.ts";

const BASE_ENV = {
  PORT: "0",
  HOST: "127.0.0.1",
  DENO_KV_PATH: ":memory:",
  LOG_REQUESTS: "0",
};

/** Runs main.ts with `env`; resolves with its exit code and output once it ends. */
async function runMain(env: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--node-modules-dir=manual", "-A", "main.ts"],
    cwd: PROJECT_ROOT,
    env: { ...BASE_ENV, ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

async function assertRefusesToStart(
  env: Record<string, string>,
  setting: string,
  value: string,
  reason: RegExp,
): Promise<void> {
  const { code, stdout, stderr } = await runMain(env);
  const what = JSON.stringify(env);
  assert.equal(code, 1, `${what}: exit ${code}\n${stderr}`);
  assert.doesNotMatch(stdout, /listening/, what);
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `${what}: one line, got\n${stderr}`);
  assert.ok(lines[0].includes(`${setting}=${JSON.stringify(value)}`), lines[0]);
  assert.match(lines[0], reason);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
}

Deno.test("an empty, non-numeric or out-of-range PORT, and other invalid settings, end start-up with one line and exit 1", async () => {
  await Promise.all([
    assertRefusesToStart({ PORT: "" }, "PORT", "", /whole number/),
    assertRefusesToStart({ PORT: "eighty" }, "PORT", "eighty", /whole number/),
    assertRefusesToStart({ PORT: "70000" }, "PORT", "70000", /65535/),
    assertRefusesToStart(
      { POLL_INTERVAL_MS: "fast" },
      "POLL_INTERVAL_MS",
      "fast",
      /invalid/,
    ),
    assertRefusesToStart({ HOST: "" }, "HOST", "", /empty/),
  ]);
});

Deno.test("a port already in use ends start-up with one line naming PORT and exit 1", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String(taken.addr.port);
  await assertRefusesToStart({ PORT: port }, "PORT", port, /in use/i);
});

Deno.test("a KV path that cannot be opened (parent is a file, unwritable folder, corrupt file) ends start-up with one line and exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "natter_startup_" });
  try {
    const file = `${dir}/a_file`;
    await Deno.writeTextFile(file, "not a folder");
    const corrupt = `${dir}/corrupt.sqlite3`;
    await Deno.writeTextFile(corrupt, "this is not a database ".repeat(200));
    const readOnly = `${dir}/read_only`;
    await Deno.mkdir(readOnly, { mode: 0o555 });
    await Deno.chmod(readOnly, 0o555);
    // root writes through file modes; a folder under /proc is refused to everyone.
    const writable = await Deno.writeTextFile(`${readOnly}/probe`, "")
      .then(() => true, () => false);
    const unwritable = writable
      ? "/proc/natter_test/natter.sqlite3"
      : `${readOnly}/sub/natter.sqlite3`;
    await Promise.all([
      assertRefusesToStart(
        { DENO_KV_PATH: `${file}/natter.sqlite3` },
        "DENO_KV_PATH",
        `${file}/natter.sqlite3`,
        /is a file, not a folder/,
      ),
      assertRefusesToStart(
        { DENO_KV_PATH: unwritable },
        "DENO_KV_PATH",
        unwritable,
        /cannot be opened/,
      ),
      assertRefusesToStart(
        { DENO_KV_PATH: corrupt },
        "DENO_KV_PATH",
        corrupt,
        /not a database/,
      ),
    ]);
  } finally {
    await Deno.chmod(`${dir}/read_only`, 0o755).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
