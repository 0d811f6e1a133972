/**
 * A real `redis-server` for the tests and the benchmark: loopback only, a free port, no
 * persistence, its own temp folder. It can be killed and started again on the same port
 * (to test losing Redis mid-run). Used by tests/redis_*_test.ts and bench/redis_bench.ts.
 */

export const REDIS_SERVER_PATH = Deno.env.get("REDIS_SERVER_PATH") ??
  "/usr/bin/redis-server";

export function redisInstalled(): boolean {
  try {
    return Deno.statSync(REDIS_SERVER_PATH).isFile;
  } catch {
    return false;
  }
}

/**
 * Whether to skip (Deno.test `ignore`): only when redis-server is missing outside CI, and
 * then loudly. Under `CI=true` the tests run and fail, so a CI without Redis cannot pass.
 */
export function skipRedisTests(): boolean {
  if (redisInstalled()) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn(
    [
      "",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      `!! REDIS TESTS SKIPPED: no redis-server at ${REDIS_SERVER_PATH}`,
      "!! Install it with:  sudo apt-get install -y redis-server",
      "!! (or set REDIS_SERVER_PATH). Under CI=true a missing Redis fails.",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      "",
    ].join("\n"),
  );
  return true;
}

export interface RedisProcess extends AsyncDisposable {
  /** e.g. `redis://127.0.0.1:40123/0` */
  url: string;
  port: number;
  /** Kills the server at once (SIGKILL: a crash, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
}

/** A port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts redis-server and waits until it accepts connections. */
export async function startRedis(): Promise<RedisProcess> {
  const dir = await Deno.makeTempDir({ prefix: "natter_redis_" });
  const port = freePort();
  let child: Deno.ChildProcess | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    child = new Deno.Command(REDIS_SERVER_PATH, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--daemonize",
        "no",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let text = "";
    const ready = Promise.withResolvers<void>();
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes("Ready to accept connections")) ready.resolve();
      }
    };
    const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
    exited = drained.then(() => child!.status);
    exited.then(() =>
      ready.reject(new Error(`redis-server exited before ready:\n${text}`))
    );
    await ready.promise;
  };
  const kill = async () => {
    try {
      child?.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    kill,
    restart: start,
    [Symbol.asyncDispose]: async () => {
      await kill();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
