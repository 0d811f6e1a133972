/** Figures for the benchmark: percentiles and a server process's peak memory and CPU time. */

/** The p-th percentile (0..100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(p / 100 * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Peak resident memory of a process in MB (Linux's VmHWM), or NaN where unavailable. */
export function peakRssMb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far, or NaN where unavailable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/**
 * Waits until `pids` together use less than `cores` of CPU over two `windowMs` windows in a
 * row, or `maxMs` passed; returns how long it waited in ms. The load uses it after its
 * people connect (every poll opening at once is a storm, not the steady state measured).
 */
export async function waitUntilIdle(
  pids: number[],
  { cores = 0.4, windowMs = 250, maxMs = 15_000 } = {},
): Promise<number> {
  const started = performance.now();
  const used = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < maxMs) {
    const before = used();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const busy = (used() - before) / (windowMs / 1000);
    // Without /proc (NaN) there is nothing to wait for.
    quiet = busy < cores || Number.isNaN(busy) ? quiet + 1 : 0;
  }
  return performance.now() - started;
}
