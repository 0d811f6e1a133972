/**
 * The bus shared by several processes through Redis (or Valkey), enabled by
 * `NATTER_REDIS_URL`. Everything here is a hint or ephemeral: KV stays the truth for
 * messages and statuses, so Redis may vanish at any moment and nothing acknowledged is lost.
 *
 * Layout (README, "Scaling out"), all under `natter:`:
 * - channel `natter:user:<userId>`: signals for one user, published by whoever commits; a
 *   process subscribes while it holds a stream or poll for that user;
 * - channel `natter:all`: signals for every subscriber of every process;
 * - presence keys `natter:online:`, `natter:holds:`, `natter:seen:` (lib/redis_presence.ts);
 * - hash `natter:rate:<limit>:<key>`: token buckets (server/redis_buckets.ts).
 *
 * Messages are JSON `{ "o": <process id>, "s": <signal> }`; a process ignores its own (its
 * local subscribers were told directly). While Redis is down, signals reach this process's
 * subscribers only and lib/inbox_watch.ts's periodic re-read brings other processes'
 * commits; once back, the bus re-subscribes and wakes everyone once to cover the gap.
 */
import { Redis, type RedisOptions } from "ioredis";
import { z } from "zod";
import {
  BROAD_INBOX,
  type Bus,
  type BusListener,
  type BusSignal,
  LocalBus,
  type PresenceState,
} from "./bus.ts";
import { RedisPresence } from "./redis_presence.ts";

/** How often a process tells Redis that its held users are still here. */
export const HEARTBEAT_MS = 10_000;
/** A user's channel stays subscribed this long after their last local listener left. */
const CHANNEL_LINGER_MS = 5_000;
/** A Redis command that has not answered by then counts as failed (Redis is "down"). */
const COMMAND_TIMEOUT_MS = 1_000;

export const channels = {
  user: (userId: string) => `natter:user:${userId}`,
  all: "natter:all",
};
const USER_PREFIX = channels.user("");

const envelopeSchema = z.object({
  o: z.string(),
  s: z.looseObject({ kind: z.string() }),
});

/** Reconnect backoff: 100 ms doubling to 2 s, with jitter so processes do not stampede. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.max(0, attempt - 1), 2_000) +
    Math.floor(Math.random() * 100);
}

export interface BusLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Opens a Redis connection that never queues commands while down: callers degrade instead. */
export function connectRedis(url: string, name: string): Redis {
  const options: RedisOptions = {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Subscriptions are restored by RedisBus itself, including ones asked for while down.
    autoResubscribe: false,
    connectTimeout: 2_000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: reconnectDelayMs,
  };
  // Not in the typings, but an ioredis option: no lingering timer for a socket that is gone.
  Object.assign(options, { disconnectTimeout: 0 });
  return new Redis(url, options);
}

export class RedisBus implements Bus {
  /** Delivery to this process's subscribers, and presence while Redis is away. */
  #local: LocalBus;
  #id = crypto.randomUUID();
  #commands: Redis;
  #subscriber: Redis;
  /** Local subscriber count per user. */
  #subscribed = new Map<string, number>();
  /**
   * Users whose channel this process wants subscribed → 0 while someone here listens, else
   * when the last one left. A channel lingers a while after that, because a long poll's
   * next request follows at once: no UNSUBSCRIBE/SUBSCRIBE churn per poll.
   */
  #channels = new Map<string, number>();
  #presence: RedisPresence;
  #heartbeat: number;
  #log: BusLog;
  #downLogged = false;
  /** A publish could not go out: once back, tell every process to look again. */
  #missed = false;
  #closed = false;

  /** `onlineMs`: how long a request keeps its user online (30 s; tests shorten it). */
  constructor(url: string, log: BusLog, options: { onlineMs?: number } = {}) {
    this.#log = log;
    this.#local = new LocalBus(options);
    this.#commands = connectRedis(url, "natter");
    this.#subscriber = connectRedis(url, "natter-sub");
    this.#presence = new RedisPresence(
      this.#id,
      this.#local,
      () => this.#isReady() ? this.#commands : null,
      options.onlineMs,
    );
    for (const client of [this.#commands, this.#subscriber]) {
      client.on("error", (error: Error) => this.#down(error));
      client.on("ready", () => this.#ready(client));
    }
    this.#subscriber.on(
      "message",
      (channel: string, text: string) => this.#receive(channel, text),
    );
    // Number(): with ioredis's Node types in scope, setInterval is typed as Node's.
    this.#heartbeat = Number(setInterval(() => this.#beat(), HEARTBEAT_MS));
    Deno.unrefTimer(this.#heartbeat);
  }

  /** The command connection, shared with the rate limits (server/redis_buckets.ts). */
  get client(): Redis {
    return this.#commands;
  }

  get subscribedUsers(): number {
    return this.#local.subscribedUsers;
  }

  health(): "ok" | "down" {
    return this.#commands.status === "ready" &&
        this.#subscriber.status === "ready"
      ? "ok"
      : "down";
  }

  publish(userIds: Iterable<string>, signal: BusSignal = INBOX): void {
    const ids = [...new Set(userIds)];
    this.#local.publish(ids, signal);
    this.#send(ids.map(channels.user), signal);
  }

  publishAll(signal: BusSignal = BROAD_INBOX): void {
    this.#local.publishAll(signal);
    this.#send([channels.all], signal);
  }

  subscribe(userId: string, listener: BusListener): () => void {
    const unsubscribe = this.#local.subscribe(userId, listener);
    this.#subscribed.set(userId, (this.#subscribed.get(userId) ?? 0) + 1);
    const known = this.#channels.has(userId);
    this.#channels.set(userId, 0);
    if (!known && this.#subscriber.status === "ready") {
      // A commit elsewhere between the subscriber's first read and Redis confirming the
      // subscription would go unheard: once confirmed, the user's subscribers look again.
      this.#subscriber.subscribe(channels.user(userId))
        .then(() => this.#local.publish([userId]), () => {});
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      const left = (this.#subscribed.get(userId) ?? 1) - 1;
      if (left > 0) return void this.#subscribed.set(userId, left);
      this.#subscribed.delete(userId);
      this.#channels.set(userId, Date.now());
    };
  }

  touch(userId: string): void {
    this.#presence.touch(userId);
  }

  hold(userId: string): () => void {
    return this.#presence.hold(userId);
  }

  presence(userIds: readonly string[]): Promise<Map<string, PresenceState>> {
    return this.#presence.presence(userIds);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    await this.#presence.releaseAll();
    await Promise.all([this.#commands, this.#subscriber].map(async (c) => {
      try {
        if (c.status === "ready") return void await c.quit();
      } catch {
        // Not answering: cut below.
      }
      c.disconnect();
    }));
    // disconnect() destroys a dead socket after `disconnectTimeout` (0 here): let it run.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }

  #isReady(): boolean {
    return !this.#closed && this.#commands.status === "ready";
  }

  #send(channelNames: string[], signal: BusSignal): void {
    if (channelNames.length === 0) return;
    if (!this.#isReady()) {
      this.#missed = true;
      return;
    }
    const message = JSON.stringify({ o: this.#id, s: signal });
    const batch = this.#commands.pipeline();
    for (const channel of channelNames) batch.publish(channel, message);
    batch.exec().catch(() => {
      this.#missed = true;
    });
  }

  #receive(channel: string, text: string): void {
    let parsed;
    try {
      parsed = envelopeSchema.safeParse(JSON.parse(text));
    } catch {
      return;
    }
    if (!parsed.success || parsed.data.o === this.#id) return;
    const signal = parsed.data.s as BusSignal;
    if (channel === channels.all) this.#local.publishAll(signal);
    else if (channel.startsWith(USER_PREFIX)) {
      this.#local.publish([channel.slice(USER_PREFIX.length)], signal);
    }
  }

  #down(error: Error): void {
    if (this.#downLogged || this.#closed) return;
    this.#downLogged = true;
    this.#log.warn(
      `Redis unavailable (${error.message}): serving as a single process, reconnecting in the background`,
    );
  }

  #ready(client: Redis): void {
    if (this.#closed) return;
    if (client === this.#subscriber) {
      const wanted = [
        channels.all,
        ...[...this.#channels.keys()].map(channels.user),
      ];
      // Signals sent while this connection was down are gone: everyone here looks again.
      client.subscribe(...wanted).then(() => this.#local.publishAll())
        .catch(() => {});
    } else {
      this.#presence.refresh();
      if (this.#missed) {
        this.#missed = false;
        this.#send([channels.all], BROAD_INBOX);
      }
    }
    if (this.health() !== "ok") return;
    if (this.#downLogged) this.#log.info("Redis is back");
    this.#downLogged = false;
  }

  #beat(): void {
    const now = Date.now();
    const idle: string[] = [];
    for (const [id, since] of this.#channels) {
      if (since > 0 && now - since >= CHANNEL_LINGER_MS) {
        this.#channels.delete(id);
        idle.push(channels.user(id));
      }
    }
    if (idle.length > 0 && this.#subscriber.status === "ready") {
      this.#subscriber.unsubscribe(...idle).catch(() => {});
    }
    this.#presence.refresh();
    // A connection that silently stopped answering (a partition, no reset) still says
    // "ready": a ping that times out makes it reconnect, so health() tells the truth.
    for (const client of [this.#commands, this.#subscriber]) {
      if (client.status !== "ready") continue;
      client.ping().catch(() => {
        if (!this.#closed && client.status === "ready") client.disconnect(true);
      });
    }
  }
}

const INBOX: BusSignal = { kind: "inbox" };
