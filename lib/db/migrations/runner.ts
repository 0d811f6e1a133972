/**
 * Brings a database to the layout this code writes. The version lives under
 * `["schema_version"]`; a database with data and no version is version 1, an empty one is
 * stamped with the latest. Only the process holding the migration lease migrates; the
 * others wait until the version is current (or the lease frees up because its holder died).
 */
import { keys } from "../keys.ts";
import { commit } from "../kv.ts";
import { acquireLease, commitUnderLease, releaseLease } from "./lease.ts";
import {
  FIRST_VERSION,
  LATEST_VERSION,
  type Migration,
  MIGRATIONS,
} from "./migration.ts";

/**
 * Keys that say nothing about the stored data (server secrets included): an otherwise empty
 * database is empty.
 */
const META_KEYS = new Set(["schema_version", "migration_lease", "secrets"]);

export interface MigrateOptions {
  /** Progress lines; nothing is logged without it. */
  log?: (line: string) => void;
  /** Items per batch (each item is one small atomic commit). */
  batchSize?: number;
  /** How long the lease lasts without renewal; the holder renews it between batches. */
  leaseMs?: number;
  /** How often a waiting process looks again. */
  pollMs?: number;
  /** Test hook: called after each batch (throwing here simulates a kill mid-way). */
  afterBatch?: (migration: Migration, batches: number) => void;
  /** The migrations to run (tests); defaults to all of them. */
  migrations?: readonly Migration[];
}

export interface MigrationStatus {
  /** The stored layout's version; 0 for an empty database. */
  current: number;
  latest: number;
  pending: Migration[];
}

/** True when the database holds no data (schema version and lease aside). */
export async function hasNoData(kv: Deno.Kv): Promise<boolean> {
  for await (const entry of kv.list({ prefix: [] })) {
    if (!META_KEYS.has(String(entry.key[0]))) return false;
  }
  return true;
}

/** Whether a key is bookkeeping of the migrations (never exported: the lease is per run). */
export function isMigrationLeaseKey(key: Deno.KvKey): boolean {
  return key.length === 1 && key[0] === keys.migrationLease()[0];
}

/** The stored version: the key if present, else 1 with data, 0 (empty) without. */
export async function readSchemaVersion(kv: Deno.Kv): Promise<number> {
  const stored = await kv.get<number>(keys.schemaVersion());
  if (typeof stored.value === "number") return stored.value;
  return await hasNoData(kv) ? 0 : FIRST_VERSION;
}

/** The current and latest versions and the migrations between them. */
export async function migrationStatus(
  kv: Deno.Kv,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationStatus> {
  const current = await readSchemaVersion(kv);
  const latest = migrations.at(-1)?.version ?? LATEST_VERSION;
  const pending = current === 0
    ? []
    : migrations.filter((m) => m.version > current);
  return { current, latest, pending };
}

/** One line per pending migration, saying what it would do; writes nothing. */
export async function migrationPlan(kv: Deno.Kv): Promise<string[]> {
  const status = await migrationStatus(kv);
  if (status.current === 0) {
    return [`empty database: stamp version ${status.latest}`];
  }
  const lines: string[] = [];
  for (const migration of status.pending) {
    lines.push(
      `${migration.version}: ${migration.description}: ${await migration
        .plan(kv)}`,
    );
  }
  return lines;
}

/**
 * Runs the pending migrations, or waits while another process does. Returns the versions
 * before and after, and whether this process did the work.
 */
export async function runMigrations(
  kv: Deno.Kv,
  options: MigrateOptions = {},
): Promise<{ from: number; to: number; migrated: boolean }> {
  const log = options.log ?? (() => {});
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.at(-1)?.version ?? LATEST_VERSION;
  const leaseMs = options.leaseMs ?? 30_000;
  const owner = crypto.randomUUID();
  const from = await readSchemaVersion(kv);
  let announced = false;
  while (true) {
    const current = await readSchemaVersion(kv);
    if (current === latest) {
      return { from, to: latest, migrated: false };
    }
    if (current > latest) {
      throw new Error(
        `The database has schema version ${current}, newer than this code (${latest}): upgrade Natter`,
      );
    }
    if (await acquireLease(kv, owner, leaseMs)) break;
    if (!announced) log("Waiting for another process to finish migrating…");
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
  try {
    // Another process may have finished between our last look and taking the lease.
    const migrated = await migrateUnderLease(kv, owner, {
      ...options,
      log,
      leaseMs,
      latest,
    });
    return { from, to: latest, migrated };
  } finally {
    await releaseLease(kv, owner);
  }
}

async function migrateUnderLease(
  kv: Deno.Kv,
  owner: string,
  options: MigrateOptions & {
    log: (line: string) => void;
    leaseMs: number;
    latest: number;
  },
): Promise<boolean> {
  const { log, leaseMs, latest } = options;
  const current = await readSchemaVersion(kv);
  if (current === latest) return false;
  if (current === 0) {
    await setVersion(kv, owner, latest);
    log(`Empty database: stamped schema version ${latest}`);
    return true;
  }
  for (const migration of options.migrations ?? MIGRATIONS) {
    if (migration.version <= current) continue;
    log(`Migrating to version ${migration.version}: ${migration.description}`);
    let cursor: string | undefined;
    let changed = 0;
    let batches = 0;
    while (true) {
      const batch = await migration.batch(kv, {
        cursor,
        limit: options.batchSize ?? 200,
      });
      changed += batch.changed;
      batches++;
      options.afterBatch?.(migration, batches);
      if (batch.changed > 0) {
        log(`  version ${migration.version}: ${changed} items moved so far`);
      }
      if (batch.cursor === null) break;
      cursor = batch.cursor;
      if (!await acquireLease(kv, owner, leaseMs)) {
        throw new Error("Cannot migrate: lost the migration lease");
      }
    }
    await setVersion(kv, owner, migration.version);
    log(`Schema version ${migration.version} (${changed} items moved)`);
  }
  return true;
}

async function setVersion(
  kv: Deno.Kv,
  owner: string,
  version: number,
): Promise<void> {
  const op = kv.atomic().set(keys.schemaVersion(), version);
  if (!await commitUnderLease(kv, owner, op)) {
    throw new Error("Cannot migrate: lost the migration lease");
  }
}

/** Forgets the stored version, so the data counts as version 1 until migrated (import). */
export async function forgetSchemaVersion(kv: Deno.Kv): Promise<void> {
  await commit(kv.atomic().delete(keys.schemaVersion()));
}
