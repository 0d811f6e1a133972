/**
 * Server-side secrets kept in KV, so every process sharing the database (and the next
 * start) signs with the same key: 32 random bytes, created once by whoever comes first.
 */
import { DomainError } from "../errors.ts";
import { keys } from "./keys.ts";
import { backoff, commit, MAX_COMMIT_ATTEMPTS } from "./kv.ts";

/** The secret named `name`, created atomically on first use. */
export async function getOrCreateSecret(
  kv: Deno.Kv,
  name: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = keys.secret(name);
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    const existing = await kv.get<Uint8Array>(key);
    if (existing.value) return new Uint8Array(existing.value);
    const fresh = crypto.getRandomValues(new Uint8Array(32));
    const result = await commit(
      kv.atomic().check({ key, versionstamp: null }).set(key, fresh),
    );
    if (result.ok) return fresh;
    // Lost a race with another process: the next read returns the secret it stored.
    await backoff(attempt);
  }
  throw new DomainError("busy", "busy", `Cannot create the ${name} secret`);
}
