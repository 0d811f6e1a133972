/** Privacy settings and the persisted "last seen" moment, one small record per user each. */
import { keys } from "./keys.ts";
import { commit } from "./kv.ts";

/** Who may see my last seen (and online). */
export type LastSeenAudience = "everyone" | "contacts" | "nobody";

/** A user's privacy settings as stored (absent: the defaults). */
export interface UserSettings {
  readReceipts: boolean;
  typingIndicators: boolean;
  lastSeen: LastSeenAudience;
}

/** The stored settings of each user asked for (absent ones are missing from the map). */
export async function getSettings(
  kv: Deno.Kv,
  userIds: readonly string[],
): Promise<Map<string, UserSettings>> {
  const out = new Map<string, UserSettings>();
  for (let i = 0; i < userIds.length; i += 10) {
    const chunk = userIds.slice(i, i + 10);
    const entries = await kv.getMany<UserSettings[]>(
      chunk.map((id) => keys.userSettings(id)),
    );
    entries.forEach((e, j) => e.value && out.set(chunk[j], e.value));
  }
  return out;
}

/** Stores a user's settings whole. */
export async function saveSettings(
  kv: Deno.Kv,
  userId: string,
  settings: UserSettings,
): Promise<void> {
  const result = await commit(
    kv.atomic().set(keys.userSettings(userId), settings),
  );
  if (!result.ok) throw new Error("Cannot save settings");
}

/** When each asked user was last seen online, as last persisted (epoch ms). */
export async function getLastSeen(
  kv: Deno.Kv,
  userIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < userIds.length; i += 10) {
    const chunk = userIds.slice(i, i + 10);
    const entries = await kv.getMany<number[]>(
      chunk.map((id) => keys.userLastSeen(id)),
    );
    entries.forEach((e, j) => e.value !== null && out.set(chunk[j], e.value));
  }
  return out;
}

/** Persists many users' last seen in as few commits as KV allows (one per 500 users). */
export async function saveLastSeen(
  kv: Deno.Kv,
  moments: ReadonlyMap<string, number>,
): Promise<void> {
  const all = [...moments];
  for (let i = 0; i < all.length; i += 500) {
    const op = kv.atomic();
    for (const [id, at] of all.slice(i, i + 500)) {
      op.set(keys.userLastSeen(id), at);
    }
    await commit(op);
  }
}

/** Whether the two users have a conversation (the "contacts" of the last seen setting). */
export async function haveConversation(
  kv: Deno.Kv,
  userId: string,
  cid: string,
): Promise<boolean> {
  return (await kv.get(keys.userConversation(userId, cid))).versionstamp !==
    null;
}
