/**
 * Runs a server as a real subprocess (`deno run -A main.ts` by default) on loopback with
 * PORT=0, and learns its address from the line it prints. Used by the benchmark and by the
 * multi-process and shutdown tests.
 */

/** The project's root folder (where main.ts and deno.json live). */
export const PROJECT_ROOT = new URL("..", import.meta.url).pathname;

/**
 * The arguments `deno task start` runs main.ts with (deno.json's "start" task after
 * `deno`), so the tests and the benchmark measure the server exactly as it is deployed.
 */
export function startTaskArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${PROJECT_ROOT}deno.json`));
  const words = String(config.tasks.start).trim().split(/\s+/);
  if (words[0] !== "deno" || words.at(-1) !== "main.ts") {
    throw new Error(`Unexpected start task: ${config.tasks.start}`);
  }
  return words.slice(1);
}

let spawned = 0;

/** A server running in its own process. */
export interface ServerProcess extends AsyncDisposable {
  /** The origin it listens on, e.g. `http://127.0.0.1:40123`. */
  url: string;
  pid: number;
  /** Resolves with the exit status once the process has ended. */
  status: Promise<Deno.CommandStatus>;
  /** Sends a signal (default SIGTERM) and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Everything the process has printed so far (stdout and stderr), for failure messages. */
  output(): string;
}

/**
 * Spawns `script` (default: main.ts as `deno task start` runs it) with `env`, and waits
 * until it prints the address it listens on.
 */
export async function spawnServer(
  options: {
    kvPath: string;
    script?: string;
    /** The whole `deno` command line after `deno` (overrides `script`). */
    args?: string[];
    env?: Record<string, string>;
    /** The line that announces the address; its first capture group is the URL. */
    listening?: RegExp;
  },
): Promise<ServerProcess> {
  const args = [
    ...(options.args ??
      (options.script ? ["run", "-A", options.script] : startTaskArgs())),
  ];
  // BENCH_INSPECT=host:port opens V8's inspector on the first server spawned (for a
  // profiler to attach to), the next port on the second, and so on.
  const inspect = Deno.env.get("BENCH_INSPECT");
  if (inspect) {
    const [host, port] = inspect.split(":");
    args.splice(1, 0, `--inspect=${host}:${Number(port) + spawned++}`);
  }
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: PROJECT_ROOT,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      DENO_KV_PATH: options.kvPath,
      LOG_REQUESTS: "0",
      NO_COLOR: "1",
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const announced = Promise.withResolvers<string>();
  // `[^\s"]`: in a JSON log line the URL is followed by a quote.
  const pattern = options.listening ?? /listening on (http:\/\/[^\s"]+)/;
  // Both pipes are drained for the whole life of the process so it never blocks on output.
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const match = pattern.exec(text);
      if (match) announced.resolve(match[1]);
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const status = drained.then(() => child.status);
  status.then((s) =>
    announced.reject(
      new Error(`server exited (code ${s.code}) before listening:\n${text}`),
    )
  );
  const url = await announced.promise;
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
    return await status;
  };
  return {
    url,
    pid: child.pid,
    status,
    stop,
    output: () => text,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

/** A temporary folder for KV files, removed on dispose. */
export async function tempKvDir(): Promise<
  { path(name: string): string } & AsyncDisposable
> {
  const dir = await Deno.makeTempDir({ prefix: "natter_" });
  return {
    path: (name) => `${dir}/${name}.sqlite3`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
