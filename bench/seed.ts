/**
 * Creates the benchmark's users straight in the KV file, before any server starts:
 * registering 1,000 people over HTTP would cost ~2 minutes of PBKDF2 and hit the
 * registration limit. Each user gets a session minted the way a login mints one
 * (random token, only its hash stored), so the bench client sends a real cookie.
 */
import {
  generateSessionToken,
  hashSessionToken,
  SESSION_COOKIE,
} from "../server/auth.ts";
import { Db } from "../lib/db/db.ts";

/** A simulated person: their name and the Cookie header that signs them in. */
export interface BenchUser {
  name: string;
  cookie: string;
}

/** Creates `count` users with one session each in the KV at `kvPath`. */
export async function seedUsers(
  kvPath: string,
  count: number,
): Promise<BenchUser[]> {
  const db = await Db.open(kvPath);
  try {
    const users: BenchUser[] = [];
    // Small parallel batches: SQLite has one writer, so more in flight buys nothing.
    for (let start = 0; start < count; start += 50) {
      const batch = Array.from(
        { length: Math.min(50, count - start) },
        async (_, i) => {
          const name = `bench_${String(start + i).padStart(4, "0")}`;
          const user = await db.createUser({ username: name });
          const token = generateSessionToken();
          await db.createSession(await hashSessionToken(token), user);
          return { name, cookie: `${SESSION_COOKIE}=${token}` };
        },
      );
      users.push(...await Promise.all(batch));
    }
    return users;
  } finally {
    db.close();
  }
}
