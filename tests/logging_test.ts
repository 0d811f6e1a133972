import assert from "node:assert/strict";
import { spawnServer, tempKvDir } from "../bench/server_process.ts";
import { loadConfig } from "../fresh.config.ts";
import { createLogger } from "../server/log.ts";
import { startTestServer } from "./helpers.ts";

/** Every line the process printed, each parsed as JSON (fails on a line that is not). */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output.split("\n").filter((line) => line.trim() !== "").map(
    (line) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`not a JSON line: ${line}\n---\n${output}`);
      }
    },
  );
}

Deno.test("LOG_FORMAT=json writes one JSON object per line, with request id, method, path, status and ms", async () => {
  await using dir = await tempKvDir();
  const server = await spawnServer({
    kvPath: dir.path("kv"),
    env: { LOG_FORMAT: "json", LOG_REQUESTS: "1" },
  });
  const health = await fetch(`${server.url}/healthz`);
  await health.body?.cancel();
  const missing = await fetch(`${server.url}/api/nothing`, {
    headers: { "x-request-id": "edge-42_a=" },
  });
  await missing.body?.cancel();
  assert.equal((await server.stop("SIGTERM")).code, 0, server.output());

  const lines = jsonLines(server.output());
  for (const line of lines) {
    assert.equal(typeof line.time, "string");
    assert.ok(
      !Number.isNaN(Date.parse(line.time as string)),
      String(line.time),
    );
    assert.ok(["info", "warn", "error"].includes(line.level as string));
    assert.equal(typeof line.message, "string");
  }
  assert.ok(lines.some((l) => /listening on http/.test(l.message as string)));
  assert.ok(lines.some((l) => l.message === "Shutting down…"));

  const requests = lines.filter((l) => l.method !== undefined);
  assert.equal(requests.length, 2, server.output());
  const [first, second] = requests;
  assert.equal(first.requestId, health.headers.get("x-request-id"));
  assert.equal(first.method, "GET");
  assert.equal(first.path, "/healthz");
  assert.equal(first.status, 200);
  assert.equal(typeof first.ms, "number");
  assert.equal(second.requestId, "edge-42_a=", "a plain incoming id is kept");
  assert.equal(missing.headers.get("x-request-id"), "edge-42_a=");
  assert.equal(second.path, "/api/nothing");
  assert.equal(second.status, 401, "anonymous API call");
});

Deno.test("every response carries an X-Request-Id; an incoming one that is long or not plain is replaced", async () => {
  await using server = await startTestServer();
  const ids = new Set<string>();
  for (
    const incoming of [undefined, "x".repeat(65), "has space", "new\u00e9"]
  ) {
    const res = await fetch(`${server.url}/healthz`, {
      headers: incoming === undefined ? {} : { "x-request-id": incoming },
    });
    await res.body?.cancel();
    const id = res.headers.get("x-request-id") ?? "";
    assert.match(id, /^[0-9a-f-]{36}$/, `for ${incoming}: ${id}`);
    ids.add(id);
  }
  assert.equal(ids.size, 4, "each request gets its own id");
});

Deno.test("LOG_FORMAT accepts text and json only, and defaults to text", () => {
  assert.equal(loadConfig({}).logFormat, "text");
  assert.equal(loadConfig({ LOG_FORMAT: "json" }).logFormat, "json");
  assert.throws(() => loadConfig({ LOG_FORMAT: "yaml" }), /LOG_FORMAT/);
});

Deno.test("a JSON error line keeps the error's stack on one line, on stderr", () => {
  const printed: Array<[string, unknown[]]> = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => printed.push(["out", args]);
  console.error = (...args: unknown[]) => printed.push(["err", args]);
  try {
    const logger = createLogger("json", () => new Date(0));
    logger.info("hello", { requestId: "r1" });
    logger.error("Unhandled error", { error: new Error("boom\nsecond line") });
  } finally {
    console.log = log;
    console.error = error;
  }
  assert.deepEqual(printed.map(([stream]) => stream), ["out", "err"]);
  for (const [, args] of printed) {
    assert.equal(args.length, 1);
    assert.doesNotMatch(String(args[0]), /\n/, "one line");
  }
  assert.deepEqual(JSON.parse(String(printed[0][1][0])), {
    time: "1970-01-01T00:00:00.000Z",
    level: "info",
    message: "hello",
    requestId: "r1",
  });
  const line = JSON.parse(String(printed[1][1][0]));
  assert.equal(line.level, "error");
  assert.match(line.error, /^Error: boom\nsecond line\n\s+at /);
});
