/**
 * Several connections to one local KV file. One Deno KV handle answers its requests one
 * after another, so under a fan-out (a group message waking 49 streams, each reading its
 * inbox) the reads queued for hundreds of ms inside the process, while another process read
 * the same file in under a millisecond (docs/benchmarks.md). A connection sees every commit
 * that finished before its read began (SQLite's WAL), so reads may go to any of them; the
 * pool's `data` handle sends `get`, `getMany` and `list` to the readers in turn and
 * everything else (commits, watches, which only see their own handle's writes) to `main`.
 * A write's check compares versionstamps, which are the same on every connection: a read
 * that raced a commit fails the check and is retried, as before.
 */

/** The main handle, the readers, and one handle that spreads reads over them. */
export interface KvPool {
  main: Deno.Kv;
  readers: Deno.Kv[];
  /** Reads to the readers in turn, the rest to `main`; `main` itself without readers. */
  data: Deno.Kv;
  close(): void;
}

const READS = new Set<PropertyKey>(["get", "getMany", "list"]);

/** A pool over handles already open (`readers` may be empty). */
export function kvPool(main: Deno.Kv, readers: Deno.Kv[] = []): KvPool {
  let next = 0;
  const data = readers.length === 0 ? main : new Proxy(main, {
    get(target, prop) {
      const handle = READS.has(prop)
        ? readers[next = (next + 1) % readers.length]
        : target;
      const value = Reflect.get(handle, prop, handle);
      return typeof value === "function" ? value.bind(handle) : value;
    },
  });
  return {
    main,
    readers,
    data,
    close: () => {
      for (const handle of [main, ...readers]) handle.close();
    },
  };
}

/** Opens `path` once for writes and `readers` more times for reads. */
export async function openKvPool(
  path: string | undefined,
  readers: number,
): Promise<KvPool> {
  const main = await Deno.openKv(path);
  const opened: Deno.Kv[] = [];
  try {
    for (let i = 0; i < readers; i++) opened.push(await Deno.openKv(path));
  } catch (error) {
    for (const handle of [main, ...opened]) handle.close();
    throw error;
  }
  return kvPool(main, opened);
}
