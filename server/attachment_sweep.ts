/**
 * Runs the attachment sweep (unused uploads older than a day, leftovers of crashed
 * uploads) shortly after start and then every 10 minutes, until shutdown. Several
 * processes may sweep at once: each removal is a checked commit, so they cannot clash.
 */
import type { Db } from "../lib/db/db.ts";
import type { Logger } from "./log.ts";

const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** Starts the periodic sweep; the timer never keeps the process alive. */
export function startAttachmentSweep(
  db: Db,
  shutdown: AbortSignal,
  log: Pick<Logger, "error">,
): void {
  const sweep = () =>
    db.sweepAttachments().catch((error) =>
      log.error("Attachment sweep failed", { error })
    );
  const first = setTimeout(sweep, 30_000);
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  Deno.unrefTimer(first);
  Deno.unrefTimer(timer);
  shutdown.addEventListener("abort", () => {
    clearTimeout(first);
    clearInterval(timer);
  }, { once: true });
}
