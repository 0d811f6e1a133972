/**
 * Preloaded into the benchmark's server process (`deno run --preload`): counts KV commits
 * that succeed (atomic operations, `set`, `delete`) and writes the running total to
 * `BENCH_COMMITS_FILE` every 100 ms, so the benchmark can print commits per second without
 * touching the app. Never loaded outside `deno task bench`.
 */
const file = Deno.env.get("BENCH_COMMITS_FILE");
if (file) {
  let commits = 0;
  const count = <T>(result: Promise<T>): Promise<T> =>
    result.then((r) => {
      if ((r as { ok?: boolean }).ok !== false) commits++;
      return r;
    });
  const atomic = Deno.AtomicOperation.prototype;
  const commit = atomic.commit;
  atomic.commit = function (this: Deno.AtomicOperation) {
    return count(commit.call(this));
  };
  const kv = Deno.Kv.prototype;
  const set = kv.set;
  const del = kv.delete;
  kv.set = function (this: Deno.Kv, ...args: Parameters<Deno.Kv["set"]>) {
    return count(set.apply(this, args));
  };
  kv.delete = function (this: Deno.Kv, ...args: Parameters<Deno.Kv["delete"]>) {
    return count(del.apply(this, args));
  };
  // Written beside and renamed over: a reader never sees the file empty mid-write (it
  // once read as 0 and printed negative commits per second).
  const timer = setInterval(() => {
    Deno.writeTextFileSync(`${file}.next`, String(commits));
    Deno.renameSync(`${file}.next`, file);
  }, 100);
  Deno.unrefTimer(timer);
}
