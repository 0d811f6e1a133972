/**
 * Online and last seen. The bus keeps presence in memory (a request: online for 30 s; a held
 * stream or poll: online until released), so saying "I am here" never costs a KV commit.
 * This module adds what the bus does not: it tells a user's contacts when the user comes
 * online or goes offline (a `presence` signal, so their open chats update live), and it
 * persists `lastSeen` to KV at most once a minute per user, batched into one commit per
 * sweep for everyone, so the value survives restarts.
 */
import type { Bus, PresenceState } from "./bus.ts";
import type { Db } from "./db/db.ts";
import { usernames } from "./inbox.ts";
import { canSeePresence } from "./settings.ts";
import type { State } from "../server/state.ts";

/** How often offline transitions are looked for and `lastSeen` is persisted. */
const SWEEP_MS = 5_000;
/** A user's `lastSeen` is written to KV at most this often. */
export const LAST_SEEN_PERSIST_MS = 60_000;

/** What the API and the `presence` event say about someone. */
export interface PublicPresence {
  online: boolean;
  lastSeen: string | null;
}

const HIDDEN: PublicPresence = { online: false, lastSeen: null };

interface Tracked {
  /** This process told the user's contacts they are online and has not said otherwise. */
  announcedOnline: boolean;
  /** The newest moment seen here, and the one last written to KV (epoch ms). */
  lastSeen: number;
  persisted: number;
  persistedAt: number;
}

/** Presence bookkeeping of one process, over one bus and one KV. */
export class PresenceTracker {
  #users = new Map<string, Tracked>();
  #timer: ReturnType<typeof setInterval>;
  #sweeping = false;

  /** `sweepMs`: how often offline transitions are looked for (5 s; tests shorten it). */
  constructor(
    readonly bus: Bus,
    readonly db: Db,
    options: { sweepMs?: number } = {},
  ) {
    this.#timer = setInterval(() => this.sweep(), options.sweepMs ?? SWEEP_MS);
    Deno.unrefTimer(this.#timer);
  }

  /** The user made a request. */
  touch(userId: string): void {
    this.bus.touch(userId);
    this.#seen(userId);
  }

  /** The user holds a stream or poll; returns the release. */
  hold(userId: string): () => void {
    const release = this.bus.hold(userId);
    this.#seen(userId);
    return () => {
      release();
      this.#seen(userId, false);
    };
  }

  #seen(userId: string, announce = true): void {
    const now = Date.now();
    let t = this.#users.get(userId);
    if (!t) {
      t = {
        announcedOnline: false,
        lastSeen: now,
        persisted: 0,
        persistedAt: 0,
      };
      this.#users.set(userId, t);
    }
    t.lastSeen = now;
    if (announce && !t.announcedOnline) {
      t.announcedOnline = true;
      this.#announce(userId);
    }
  }

  /** Tells the user's contacts to look at the user's presence again (e.g. new settings). */
  announce(userId: string): void {
    this.#announce(userId);
  }

  #announce(userId: string): void {
    this.db.listMemberStates(userId).then((states) => {
      const peers = [...states.values()].flatMap((s) =>
        s.row.peerId ? [s.row.peerId] : []
      );
      this.bus.publish(peers, { kind: "presence", userId });
    }).catch(() => {
      // KV closing or busy: contacts see the change on their next look.
    });
  }

  /** Announces users who went offline and persists last seen moments that are due. */
  async sweep(): Promise<void> {
    if (this.#sweeping || this.#users.size === 0) return;
    this.#sweeping = true;
    try {
      const ids = [...this.#users.keys()];
      const states = await this.bus.presence(ids);
      const now = Date.now();
      const due = new Map<string, number>();
      for (const id of ids) {
        const t = this.#users.get(id)!;
        const p = states.get(id);
        if (p?.lastSeen) t.lastSeen = Math.max(t.lastSeen, p.lastSeen);
        if (t.announcedOnline && !p?.online) {
          t.announcedOnline = false;
          this.#announce(id);
        }
        if (
          t.lastSeen !== t.persisted &&
          now - t.persistedAt >= LAST_SEEN_PERSIST_MS
        ) due.set(id, t.lastSeen);
        else if (!p?.online && t.lastSeen === t.persisted) {
          this.#users.delete(id);
        }
      }
      if (due.size > 0) {
        await this.db.saveLastSeen(due);
        for (const [id, at] of due) {
          const t = this.#users.get(id);
          if (t) Object.assign(t, { persisted: at, persistedAt: now });
        }
      }
    } catch {
      // KV closing or busy: the next sweep tries again.
    } finally {
      this.#sweeping = false;
    }
  }

  /** Writes every pending last seen now (shutdown). */
  async flush(): Promise<void> {
    clearInterval(this.#timer);
    const pending = new Map<string, number>();
    for (const [id, t] of this.#users) {
      if (t.lastSeen !== t.persisted) pending.set(id, t.lastSeen);
    }
    if (pending.size > 0) await this.db.saveLastSeen(pending);
  }

  /** Presence as the bus knows it, completed by KV's `lastSeen` for users it never saw. */
  async presence(userIds: string[]): Promise<Map<string, PresenceState>> {
    const states = await this.bus.presence(userIds);
    const unknown = userIds.filter((id) => !states.get(id)?.lastSeen);
    if (unknown.length > 0) {
      const stored = await this.db.getLastSeen(unknown);
      for (const [id, at] of stored) {
        const local = this.#users.get(id)?.lastSeen;
        states.set(id, { online: false, lastSeen: Math.max(at, local ?? 0) });
      }
    }
    return states;
  }
}

const trackers = new WeakMap<Bus, PresenceTracker>();

/** The tracker of this process for the state's bus; it stops when the server shuts down. */
export function presenceFor(
  state: Pick<State, "bus" | "db" | "shutdown"> & {
    config?: Pick<State["config"], "onlineWindowMs">;
  },
): PresenceTracker {
  let tracker = trackers.get(state.bus);
  if (!tracker) {
    // A shortened online window (tests) is looked at as often as it lasts.
    const windowMs = state.config?.onlineWindowMs;
    const created = tracker = new PresenceTracker(state.bus, state.db, {
      sweepMs: windowMs ? Math.min(SWEEP_MS, windowMs) : undefined,
    });
    trackers.set(state.bus, created);
    state.shutdown.addEventListener("abort", () => {
      created.flush().catch(() => {
        // KV already closed: at most a minute of last seen is lost.
      });
    }, { once: true });
  }
  return tracker;
}

/** `targetId`'s presence as `viewerId` may see it (hidden: offline, never seen). */
export async function visiblePresence(
  state: State,
  viewerId: string,
  targetIds: string[],
): Promise<Map<string, PublicPresence>> {
  const out = new Map<string, PublicPresence>();
  const visible: string[] = [];
  for (const id of targetIds) {
    if (await canSeePresence(state, viewerId, id)) visible.push(id);
    else out.set(id, HIDDEN);
  }
  const states = visible.length > 0
    ? await presenceFor(state).presence(visible)
    : new Map<string, PresenceState>();
  for (const id of visible) {
    const p = states.get(id);
    out.set(id, {
      online: p?.online ?? false,
      lastSeen: p?.lastSeen ? new Date(p.lastSeen).toISOString() : null,
    });
  }
  return out;
}

/**
 * The presence of everyone I have a conversation with (plus `extra`), by username, as I
 * may see it: what the chat list and header render before the live events take over.
 */
export async function presenceOfPeers(
  state: State,
  me: { id: string },
  extra: Array<{ id: string; username: string }> = [],
): Promise<Record<string, PublicPresence>> {
  const states = await state.db.listMemberStates(me.id);
  const ids = new Set(extra.map((u) => u.id));
  for (const s of states.values()) if (s.row.peerId) ids.add(s.row.peerId);
  const names = await usernames(state, ids);
  const visible = await visiblePresence(state, me.id, [...ids]);
  const out: Record<string, PublicPresence> = {};
  for (const [id, p] of visible) {
    const name = names.get(id);
    if (name) out[name.toLowerCase()] = p;
  }
  return out;
}
