/** The per-request state every route sees as `ctx.state`. */
import type { AppConfig } from "../fresh.config.ts";
import type { Bus } from "../lib/bus.ts";
import type { Db } from "../lib/db/db.ts";
import type { DeviceCookies } from "./device_cookie.ts";
import type { RateLimiters } from "./rate_limit.ts";
import type { UserCache } from "./user_cache.ts";

export interface SessionUser {
  id: string;
  username: string;
}

export interface State {
  db: Db;
  config: AppConfig;
  limits: RateLimiters;
  /** Chat partners by name, cached briefly: see lib/user_cache.ts for why that is safe. */
  users: UserCache;
  /** The client's IP address, for rate limits (behind `TRUST_PROXY`, from X-Forwarded-For). */
  clientAddress: string;
  /** True when the browser reaches us over https (directly, via PUBLIC_URL or a trusted proxy). */
  secure: boolean;
  /** Signs and reads the device cookies that keep an owner's own login allowance. */
  devices: DeviceCookies;
  /** Wake-ups for held inbox requests; every commit that concerns users publishes here. */
  bus: Bus;
  /** Pause between the event stream's keep-alive comments (15 s; tests shorten it). */
  streamHeartbeatMs: number;
  /** Aborted when the server begins to shut down; long-running requests end on it. */
  shutdown: AbortSignal;
  /** The content-hashed URL of a file in static/, e.g. `assetUrl("/styles.css")`. */
  assetUrl(path: string): string;
  /** Set by routes/_middleware.ts when the request carries a live session. */
  user?: SessionUser;
  /** SHA-256 of the session token, kept so logout can delete exactly this session. */
  sessionTokenHash?: string;
  /** ISO time the person last proved who they are in this session (server/reauth.ts). */
  authenticatedAt?: string;
}
