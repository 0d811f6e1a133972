/**
 * Builds the Hono app: security headers, CSRF, body limits, static files, the file
 * routes from the manifest, and the one place where errors become responses.
 */
import { Hono } from "hono";
import { getConnInfo } from "hono/deno";
import { requestId, type RequestIdVariables } from "hono/request-id";
import type { ComponentType } from "preact";
import type { AppConfig } from "../fresh.config.ts";
import { type Bus, LocalBus } from "../lib/bus.ts";
import type { Db } from "../lib/db/db.ts";
import { DomainError } from "../lib/errors.ts";
import { followSettingsChanges } from "../lib/settings.ts";
import { asDomainError, errorHeaders, statusOf } from "./errors.ts";
import type { BuildInfo } from "../runtime/server/build_info.ts";
import { mountManifest } from "../runtime/server/router.ts";
import type { Manifest, PageProps } from "../runtime/types.ts";
import { type BusHealth, healthHandler } from "./health.ts";
import { bodyLimitFor, jsonError } from "./http.ts";
import { createLogger } from "./log.ts";
import { startAttachmentSweep } from "./attachment_sweep.ts";
import { compress } from "./middleware/compress.ts";
import { csrf } from "./middleware/csrf.ts";
import { hostCheck } from "./middleware/host_check.ts";
import { noStore } from "./middleware/no_store.ts";
import { readBody } from "./middleware/read_body.ts";
import { resolveClient } from "./client_info.ts";
import { createDeviceCookies } from "./device_cookie.ts";
import { securityHeaders } from "./middleware/security_headers.ts";
import { loadStaticAssets } from "./static_assets.ts";
import { mountStaticFiles } from "./static_files.ts";
import { createRateLimiters, type SharedBuckets } from "./rate_limit.ts";
import { createUserCache } from "./user_cache.ts";
import type { State } from "./state.ts";

export interface AppOptions {
  db: Db;
  config: AppConfig;
  manifest: Manifest;
  build: BuildInfo;
  /** Project root, where `static/` and the build directory live. */
  root: string;
  /** Aborted on shutdown; long polls answer and end when it fires. */
  shutdown?: AbortSignal;
  /** Wake-ups between requests; an in-process bus unless another is given. */
  bus?: Bus;
  /** The health of a bus shared by several processes, when there is one (for /healthz). */
  busHealth?: BusHealth;
  /** Rate-limit buckets shared by every process (Redis), when configured. */
  sharedBuckets?: SharedBuckets;
  /** The event stream's keep-alive period (default 15 s). */
  streamHeartbeatMs?: number;
}

type Variables = { state: State } & RequestIdVariables;

/** An incoming X-Request-Id longer than this (or not [A-Za-z0-9_=-]) is replaced by ours. */
const MAX_REQUEST_ID_LENGTH = 64;

export interface ErrorPageData {
  status: number;
  message: string;
}

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/** Creates the request handler for the whole app. */
export async function createApp(
  options: AppOptions,
): Promise<Hono<{ Variables: Variables }>> {
  const { db, config, manifest, build, root } = options;
  const app = new Hono<{ Variables: Variables }>();
  const log = createLogger(config.logFormat);
  const limits = createRateLimiters(options.sharedBuckets);
  const users = createUserCache({ ttlMs: 10_000, maxEntries: 10_000 });
  const shutdown = options.shutdown ?? new AbortController().signal;
  // Kept in KV so device cookies stay valid across restarts and on every process.
  const devices = await createDeviceCookies(
    await db.getOrCreateSecret("device_cookie"),
  );
  const assets = loadStaticAssets(`${root}/static`);
  const assetUrl = assets.url;
  const bus = options.bus ?? new LocalBus();
  const stopFollowing = followSettingsChanges(bus);
  shutdown.addEventListener("abort", stopFollowing, { once: true });
  const streamHeartbeatMs = options.streamHeartbeatMs ?? 15_000;

  // Each request gets an id, returned as X-Request-Id and written on its log lines; a
  // proxy's id is kept when it is short and plain, so one id follows a request end to end.
  app.use("*", requestId({ limitLength: MAX_REQUEST_ID_LENGTH }));
  app.use("*", async (c, next) => {
    let peer = "unknown";
    try {
      peer = getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // Requests made with app.request() in-process carry no connection info.
    }
    const client = resolveClient(c.req.raw, peer, config);
    c.set("state", {
      db,
      config,
      limits,
      users,
      clientAddress: client.address,
      secure: client.secure,
      devices,
      shutdown,
      assetUrl,
      bus,
      streamHeartbeatMs,
    });
    const started = performance.now();
    await next();
    // The mapper and routes set a precise Retry-After; this is the net under all of them.
    if (c.res.status === 429 && !c.res.headers.has("retry-after")) {
      c.res.headers.set("retry-after", "1");
    }
    // Responses built outside Hono's context (errors, 404s, redirects) lack the id header.
    if (!c.res.headers.has("x-request-id")) {
      c.header("x-request-id", c.get("requestId"));
    }
    if (config.logRequests) {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const { method, path } = c.req;
      const status = c.res.status;
      log.info(`${method} ${path} ${status} ${ms.toFixed(1)}ms`, {
        requestId: c.get("requestId"),
        method,
        path,
        status,
        ms,
      });
    }
  });

  app.use("*", securityHeaders());
  // Before the Host check (a load balancer probes by address), CSRF, static files and the
  // routes' session middleware: a probe needs none of them.
  app.get("/healthz", healthHandler(db, options.busHealth));
  app.use(
    "*",
    hostCheck({
      publicUrl: config.publicUrl,
      // On Deno Deploy the platform routes by name; HOST means nothing there.
      listenHost: config.isDeploy ? "0.0.0.0" : config.host,
    }),
  );
  app.use("*", compress());
  app.use("*", noStore());
  app.use("*", csrf({ publicUrl: config.publicUrl }));
  app.use(
    "*",
    readBody({
      limitFor: (c) => bodyLimitFor(c.req.path, c.req.header("content-type")),
    }),
  );
  startAttachmentSweep(db, shutdown, log);

  mountStaticFiles(app, {
    assets,
    islandsDir: `${root}/${config.buildDir}/islands`,
  });

  const pages = mountManifest<State>(app, manifest, {
    build,
    // The API's 405 is the JSON envelope like every other API error; pages get HTML.
    methodNotAllowed: (c, allow) => {
      const error = new DomainError(
        "method_not_allowed",
        "method_not_allowed",
        `${c.req.method} is not allowed here; use ${allow}`,
        { allow: allow.split(", ") },
      );
      const res = isApi(c.req.path)
        ? jsonError(error)
        : renderError(c.get("state"), new URL(c.req.url), 405, error.message);
      res.headers.set("allow", allow);
      return res;
    },
  });
  const errorModule = manifest.routes["./routes/_error.tsx"];

  const renderError = (
    state: State,
    url: URL,
    status: number,
    message: string,
  ): Response => {
    if (!errorModule?.default) return new Response(message, { status });
    const props: PageProps<State, ErrorPageData> = {
      data: { status, message },
      params: {},
      url,
      state,
    };
    return pages.render(
      errorModule.default as ComponentType<PageProps<State>>,
      props as PageProps<State>,
      { status },
      typeof errorModule.title === "string" ? errorModule.title : "Error",
    );
  };

  app.notFound((c) => {
    const error = new DomainError(
      "not_found",
      "not_found",
      "This page does not exist",
    );
    if (isApi(c.req.path)) return jsonError(error);
    return renderError(c.get("state"), new URL(c.req.url), 404, error.message);
  });

  app.onError((err, c) => {
    const error = asDomainError(err);
    if (!(err instanceof DomainError)) {
      log.error("Unhandled error", {
        requestId: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        error: err,
      });
    }
    if (isApi(c.req.path)) return jsonError(error);
    const page = renderError(
      c.get("state"),
      new URL(c.req.url),
      statusOf(error),
      error.message,
    );
    for (const [name, value] of Object.entries(errorHeaders(error))) {
      page.headers.set(name, value);
    }
    return page;
  });

  return app;
}
