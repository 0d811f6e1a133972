/**
 * The yardstick for send throughput: plain single-commit KV writes (`kv.set`, one key, a
 * message-sized value) from `concurrency` loops, on the same kind of KV file the server
 * uses. Like the baseline server it opens KV itself, on purpose: it measures KV alone.
 */

/** Writes for `durationMs`; returns commits per second. */
export async function measureRawWrites(
  kvPath: string,
  options: { concurrency: number; durationMs: number },
): Promise<{ perSecond: number; writes: number }> {
  const kv = await Deno.openKv(kvPath);
  try {
    const value = {
      id: crypto.randomUUID(),
      text: "x".repeat(120),
      sentAt: new Date().toISOString(),
    };
    let writes = 0;
    const started = performance.now();
    const end = started + options.durationMs;
    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, loop) => {
        for (let i = 0; performance.now() < end; i++) {
          await kv.set(["bench_raw", loop, i], value);
          writes++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: writes / seconds, writes };
  } finally {
    kv.close();
  }
}
