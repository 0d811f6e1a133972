/** What a numbered migration is, and the ones that exist, oldest first. */
import { conversationRecords } from "./m002_conversation_records.ts";

/** One unit of a migration's progress, handed back to resume where it stopped. */
export interface MigrationBatch {
  /** Items changed by this batch (logged as progress). */
  changed: number;
  /** Where the next batch starts, or null when the migration has nothing left to do. */
  cursor: string | null;
}

/**
 * A change of the stored layout to `version`. `batch` must be idempotent and leave the
 * data valid after every commit, so a process killed at any point (or a second run) only
 * redoes work: a restart may begin again from `cursor: undefined`.
 */
export interface Migration {
  version: number;
  /** One line, shown in the log and by `deno task admin migrate --dry-run`. */
  description: string;
  batch(
    kv: Deno.Kv,
    options: { cursor?: string; limit: number },
  ): Promise<MigrationBatch>;
  /** What is left to do, in one line (for `--dry-run`); reads, never writes. */
  plan(kv: Deno.Kv): Promise<string>;
}

/** The layout before schema versions were stored (no `["schema_version"]` key). */
export const FIRST_VERSION = 1;

/** Every migration, in order; the last one's version is the layout this code writes. */
export const MIGRATIONS: readonly Migration[] = [conversationRecords];

/** The layout this code reads and writes. */
export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? FIRST_VERSION;
