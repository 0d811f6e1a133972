/**
 * The app's configuration, read once from the environment and validated.
 * Every knob an operator can turn lives here; README documents each one.
 */
import { z } from "zod";
import { type Cidr, parseCidr } from "./server/ip.ts";

const envSchema = z.object({
  // Not z.coerce: it reads an empty PORT as 0, a random port nobody asked for.
  PORT: z.string()
    .regex(/^\d{1,5}$/, "must be a whole number from 0 to 65535")
    .refine((port) => Number(port) <= 65535, "must be at most 65535")
    .transform(Number)
    .default(8000),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  DENO_KV_PATH: z.string().min(1).optional(),
  // Extra connections to a local KV file for the inbox's reads (lib/db/db.ts says why).
  KV_READERS: z.string()
    .regex(/^\d{1,2}$/, "must be a whole number from 0 to 32")
    .refine((n) => Number(n) <= 32, "must be at most 32")
    .transform(Number)
    .default(8),
  // Set by Deno Deploy itself (DENO_DEPLOY=true on the current platform, DENO_DEPLOYMENT_ID
  // on both it and Deploy Classic); operators cannot set DENO_* variables there.
  DENO_DEPLOY: z.string().optional(),
  DENO_DEPLOYMENT_ID: z.string().optional(),
  PUBLIC_URL: z.url().optional(),
  // Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-* headers we believe.
  TRUST_PROXY: z.string().default("").transform((text, ctx) => {
    const ranges: Cidr[] = [];
    for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
      const range = parseCidr(item);
      if (!range) {
        ctx.addIssue({
          code: "custom",
          message: `"${item}" is not an IP address or CIDR range`,
        });
        return z.NEVER;
      }
      ranges.push(range);
    }
    return ranges;
  }),
  POLL_INTERVAL_MS: z.coerce.number().int().min(250).max(60_000).default(2000),
  LOG_REQUESTS: z.enum(["0", "1"]).default("1"),
  LOG_FORMAT: z.enum(["text", "json"]).default("text"),
  NATTER_REDIS_URL: z.url({
    protocol: /^rediss?$/,
    error: "must be a redis:// or rediss:// URL",
  }).optional(),
  // Test-only: shortens the 30 s "online after a request" window so the multi-process tests
  // can watch someone go offline without waiting half a minute. Never set it in production.
  NATTER_TEST_ONLINE_WINDOW_MS: z.coerce.number().int().min(100).max(30_000)
    .optional(),
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  USER_QUOTA_BYTES: z.coerce.number().int().min(0).default(200 * 1024 * 1024),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_URL: z.url().optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().trim().min(1).max(40).default("SSO"),
}).refine((e) => !e.GITHUB_CLIENT_ID === !e.GITHUB_CLIENT_SECRET, {
  path: ["GITHUB_CLIENT_SECRET"],
  message: "GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET must be set together",
}).refine((e) => !e.OIDC_ISSUER === !e.OIDC_CLIENT_ID, {
  path: ["OIDC_CLIENT_ID"],
  message: "OIDC_ISSUER and OIDC_CLIENT_ID must be set together",
});

export interface AppConfig {
  port: number;
  host: string;
  /** Path or URL handed to `Deno.openKv`; undefined means the platform default (Deno Deploy). */
  kvPath: string | undefined;
  /** Extra read connections to a local KV file (0 for `:memory:`, URLs and the default). */
  kvReaders: number;
  /** True on Deno Deploy: nothing may be written to the file system at run time. */
  isDeploy: boolean;
  /** Origin users see (behind a proxy); undefined means "the request's own origin". */
  publicUrl: string | undefined;
  /** Proxies (`TRUST_PROXY`) whose X-Forwarded-For/-Proto are believed; empty means none. */
  trustProxy: Cidr[];
  /** How often the chat island asks for new messages when it is not long polling. */
  pollIntervalMs: number;
  logRequests: boolean;
  /** `text` (one readable line) or `json` (one JSON object per line, for log shippers). */
  logFormat: "text" | "json";
  /** Redis (or Valkey) shared by every process: wake-ups, presence, typing, rate limits. */
  redisUrl?: string;
  /** Test-only (`NATTER_TEST_ONLINE_WINDOW_MS`): how long a request keeps its user online. */
  onlineWindowMs?: number;
  /** Largest attachment one upload may carry (`MAX_UPLOAD_BYTES`). */
  maxUploadBytes: number;
  /** Bytes of attachments one user may keep stored in total (`USER_QUOTA_BYTES`). */
  userQuotaBytes: number;
  /** Where `deno task build` writes island bundles. */
  buildDir: string;
  /** Sign-in with GitHub (or GitHub Enterprise Server at `url`), when configured. */
  github?: { clientId: string; clientSecret: string; url?: string };
  /** Sign-in with an OpenID Connect provider, when configured; `name` labels its button. */
  oidc?: {
    issuer: string;
    clientId: string;
    clientSecret?: string;
    name: string;
  };
}

export const DEFAULT_KV_PATH = "data/natter.sqlite3";

/**
 * A setting the server cannot start with. Its message is one line naming the setting,
 * its value and the reason, which `main.ts` prints instead of a stack trace.
 */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly value: string | undefined,
    readonly reason: string,
  ) {
    // Secrets are never echoed; JSON quoting keeps control characters off the terminal.
    const shown = /SECRET/.test(setting)
      ? "(hidden)"
      : JSON.stringify(value ?? "");
    super(
      `Cannot start Natter: ${setting}=${shown} ${reason}`.replace(/\s+/g, " "),
    );
    this.name = "ConfigError";
  }
}

/** Reads the configuration from environment variables (see README, "Configuration"). */
export function loadConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(name, env[name], `is invalid: ${issue.message}`);
  }
  const e = parsed.data;
  const isDeploy = e.DENO_DEPLOY === "true" || Boolean(e.DENO_DEPLOYMENT_ID);
  return {
    port: e.PORT,
    host: e.HOST,
    kvPath: e.DENO_KV_PATH ?? (isDeploy ? undefined : DEFAULT_KV_PATH),
    kvReaders: e.KV_READERS,
    isDeploy,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    logRequests: e.LOG_REQUESTS === "1",
    logFormat: e.LOG_FORMAT,
    redisUrl: e.NATTER_REDIS_URL,
    onlineWindowMs: e.NATTER_TEST_ONLINE_WINDOW_MS,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    userQuotaBytes: e.USER_QUOTA_BYTES,
    buildDir: "_fresh",
    github: e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
      ? {
        clientId: e.GITHUB_CLIENT_ID,
        clientSecret: e.GITHUB_CLIENT_SECRET,
        url: e.GITHUB_URL,
      }
      : undefined,
    oidc: e.OIDC_ISSUER && e.OIDC_CLIENT_ID
      ? {
        issuer: e.OIDC_ISSUER,
        clientId: e.OIDC_CLIENT_ID,
        clientSecret: e.OIDC_CLIENT_SECRET,
        name: e.OIDC_NAME,
      }
      : undefined,
  };
}
