/**
 * Privacy settings and the rules built on them. Reciprocal, as in WhatsApp and Signal: who
 * hides their reads sees no one's; who turns typing indicators off neither sends nor sees
 * them; who hides their last seen from someone cannot see theirs either. "contacts" means
 * the people one has a conversation with. Settings are cached briefly per process; a change
 * is published on the bus's SETTINGS_TOPIC, so every process sharing the bus drops its copy
 * at once (without a shared bus, or while it is down, others drop their whole cache when
 * they notice another process's commits, and see the change within `CACHE_MS` at worst).
 */
import { conversationId } from "./db/db.ts";
import type { UserSettings } from "./db/db.ts";
import { type Bus, SETTINGS_TOPIC } from "./bus.ts";
import { presenceFor } from "./presence.ts";
import type { State } from "../server/state.ts";

export type { LastSeenAudience, UserSettings } from "./db/db.ts";

/** What everyone starts with. */
export const DEFAULT_SETTINGS: Readonly<UserSettings> = Object.freeze({
  readReceipts: true,
  typingIndicators: true,
  lastSeen: "everyone",
});

const CACHE_MS = 10_000;
const CACHE_MAX = 50_000;
const cache = new Map<string, { settings: UserSettings; until: number }>();

/** Each user's settings (defaults for those who never changed any). */
export async function settingsOf(
  state: State,
  userIds: readonly string[],
): Promise<Map<string, UserSettings>> {
  const now = Date.now();
  const out = new Map<string, UserSettings>();
  const missing: string[] = [];
  for (const id of new Set(userIds)) {
    const hit = cache.get(id);
    if (hit && hit.until > now) out.set(id, hit.settings);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const stored = await state.db.getSettings(missing);
    if (cache.size + missing.length > CACHE_MAX) cache.clear();
    for (const id of missing) {
      const settings = { ...DEFAULT_SETTINGS, ...stored.get(id) };
      cache.set(id, { settings, until: now + CACHE_MS });
      out.set(id, settings);
    }
  }
  return out;
}

/** One user's settings. */
export async function settingsFor(
  state: State,
  userId: string,
): Promise<UserSettings> {
  return (await settingsOf(state, [userId])).get(userId)!;
}

/** Applies a subset of the settings and returns the whole result. */
export async function updateSettings(
  state: State,
  userId: string,
  patch: Partial<UserSettings>,
): Promise<UserSettings> {
  const current = (await state.db.getSettings([userId])).get(userId);
  const next: UserSettings = { ...DEFAULT_SETTINGS, ...current, ...patch };
  await state.db.saveSettings(userId, next);
  // Told before caching: a local bus delivers at once, and its listener drops the entry.
  state.bus.publish([SETTINGS_TOPIC], { kind: "settings", userId });
  cache.set(userId, { settings: next, until: Date.now() + CACHE_MS });
  // Whom my presence shows to may have changed: open chats look again, live.
  if (next.lastSeen !== (current?.lastSeen ?? DEFAULT_SETTINGS.lastSeen)) {
    presenceFor(state).announce(userId);
  }
  return next;
}

/** Drops cached settings changed through any process on `bus`; returns the stop. */
export function followSettingsChanges(bus: Bus): () => void {
  return bus.subscribe(SETTINGS_TOPIC, (signal) => {
    if (signal.kind === "settings") cache.delete(signal.userId);
    // Only `publishAll` sends the topic an inbox hint: "look again, something may have
    // gone unheard" (another process's commit without Redis, or Redis back after a gap).
    else if (signal.kind === "inbox") cache.clear();
  });
}

/** Whether both allow read receipts, so `readerId` reading produces `read` for `senderId`. */
export async function receiptsBetween(
  state: State,
  readerId: string,
  senderId: string,
): Promise<boolean> {
  const s = await settingsOf(state, [readerId, senderId]);
  return s.get(readerId)!.readReceipts && s.get(senderId)!.readReceipts;
}

/** Whether `viewerId` may see `targetId`'s online and last seen (both ways must allow). */
export async function canSeePresence(
  state: State,
  viewerId: string,
  targetId: string,
): Promise<boolean> {
  const s = await settingsOf(state, [viewerId, targetId]);
  const audiences = [s.get(viewerId)!.lastSeen, s.get(targetId)!.lastSeen];
  if (audiences.includes("nobody")) return false;
  if (!audiences.includes("contacts")) return true;
  return await state.db.haveConversation(
    viewerId,
    conversationId(viewerId, targetId),
  );
}

/** Whether `userId` sends and sees typing indicators. */
export async function typingAllowed(
  state: State,
  userId: string,
): Promise<boolean> {
  return (await settingsFor(state, userId)).typingIndicators;
}
