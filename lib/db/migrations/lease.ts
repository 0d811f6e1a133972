/**
 * A lease in KV: at most one process holds it at a time. It carries its own expiry
 * (checked on read, since KV's `expireIn` is lazy), so a holder that dies frees it.
 */
import { keys } from "../keys.ts";
import { commit } from "../kv.ts";

interface LeaseValue {
  owner: string;
  expiresAt: string;
}

/** Takes or renews the lease for `owner`; false while another live owner holds it. */
export async function acquireLease(
  kv: Deno.Kv,
  owner: string,
  ttlMs: number,
  now = new Date(),
): Promise<boolean> {
  const key = keys.migrationLease();
  const entry = await kv.get<LeaseValue>(key);
  const held = entry.value && entry.value.owner !== owner &&
    Date.parse(entry.value.expiresAt) > now.getTime();
  if (held) return false;
  const value: LeaseValue = {
    owner,
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
  const result = await commit(
    kv.atomic().check(entry).set(key, value, { expireIn: ttlMs }),
  );
  return result.ok;
}

/** Commits `op` only while `owner` still holds the lease (checked in the same commit). */
export async function commitUnderLease(
  kv: Deno.Kv,
  owner: string,
  op: Deno.AtomicOperation,
): Promise<boolean> {
  const entry = await kv.get<LeaseValue>(keys.migrationLease());
  if (entry.value?.owner !== owner) return false;
  return (await commit(op.check(entry))).ok;
}

/** Gives the lease up if `owner` still holds it. */
export async function releaseLease(kv: Deno.Kv, owner: string): Promise<void> {
  const key = keys.migrationLease();
  const entry = await kv.get<LeaseValue>(key);
  if (entry.value?.owner === owner) {
    await commit(kv.atomic().check(entry).delete(key));
  }
}
