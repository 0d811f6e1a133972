/**
 * Keep-alive comments for every held event stream from ONE timer per interval, instead of a
 * timer per stream per wait: with thousands of streams, creating and clearing a timer on
 * every wake-up was a steady source of garbage. Each stream says when it last wrote; a tick
 * every half interval writes a comment to those quiet for at least the interval, so no
 * stream stays silent much longer than that.
 */

/** A held stream as the ticker sees it. */
export interface QuietWatch {
  /** When the stream last wrote anything (ms since the epoch). */
  lastWrite: number;
  /** Writes the keep-alive comment. */
  beat(): void;
}

interface Ticker {
  streams: Set<QuietWatch>;
  timer: ReturnType<typeof setInterval>;
}

/** One ticker per interval (the tests use short ones). */
const tickers = new Map<number, Ticker>();

/** Keeps `stream` alive every `intervalMs` of silence; returns the function that stops. */
export function keepAlive(intervalMs: number, stream: QuietWatch): () => void {
  let ticker: Ticker | undefined = tickers.get(intervalMs);
  if (!ticker) {
    const streams = new Set<QuietWatch>();
    const timer = setInterval(() => {
      const now = Date.now();
      for (const s of streams) {
        if (now - s.lastWrite >= intervalMs) s.beat();
      }
    }, Math.max(1, Math.floor(intervalMs / 2)));
    Deno.unrefTimer(timer);
    tickers.set(intervalMs, ticker = { streams, timer });
  }
  const { streams } = ticker;
  streams.add(stream);
  return () => {
    streams.delete(stream);
    if (streams.size === 0 && tickers.get(intervalMs)?.streams === streams) {
      clearInterval(tickers.get(intervalMs)!.timer);
      tickers.delete(intervalMs);
    }
  };
}
