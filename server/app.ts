/**
 * Builds the Hono app: security headers, CSRF, body limits, static files, the file
 * routes from the manifest, and the one place where errors become responses.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getConnInfo, serveStatic } from "hono/deno";
import { secureHeaders } from "hono/secure-headers";
import type { ComponentType } from "preact";
import type { AppConfig } from "../fresh.config.ts";
import { type Bus, LocalBus } from "../lib/bus.ts";
import type { Db } from "../lib/db/db.ts";
import { DomainError } from "../lib/errors.ts";
import { asDomainError, statusOf } from "./errors.ts";
import type { BuildInfo } from "../runtime/server/build_info.ts";
import { ISLANDS_URL_PREFIX, mountManifest } from "../runtime/server/router.ts";
import type { Manifest, PageProps } from "../runtime/types.ts";
import { jsonError, MAX_BODY_BYTES } from "./http.ts";
import { csrf } from "./middleware/csrf.ts";
import { createRateLimiters } from "./rate_limit.ts";
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
  /** The event stream's keep-alive period (default 15 s). */
  streamHeartbeatMs?: number;
}

export interface ErrorPageData {
  status: number;
  message: string;
}

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/** Creates the request handler for the whole app. */
export function createApp(
  options: AppOptions,
): Hono<{ Variables: { state: State } }> {
  const { db, config, manifest, build, root } = options;
  const app = new Hono<{ Variables: { state: State } }>();
  const limits = createRateLimiters();
  const users = createUserCache({ ttlMs: 10_000, maxEntries: 10_000 });
  const shutdown = options.shutdown ?? new AbortController().signal;
  const bus = options.bus ?? new LocalBus();
  const streamHeartbeatMs = options.streamHeartbeatMs ?? 15_000;

  app.use("*", async (c, next) => {
    let clientAddress = "unknown";
    try {
      clientAddress = getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // Requests made with app.request() in-process carry no connection info.
    }
    c.set("state", {
      db,
      config,
      limits,
      users,
      clientAddress,
      shutdown,
      bus,
      streamHeartbeatMs,
    });
    const started = performance.now();
    await next();
    if (config.logRequests) {
      const ms = (performance.now() - started).toFixed(1);
      console.log(`${c.req.method} ${c.req.path} ${c.res.status} ${ms}ms`);
    }
  });

  app.use(
    "*",
    secureHeaders({
      // no-referrer would make Chromium send `Origin: null` on same-origin form posts.
      referrerPolicy: "strict-origin-when-cross-origin",
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use("*", csrf({ publicUrl: config.publicUrl }));
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new DomainError(
          "too_large",
          "payload_too_large",
          "The request body is larger than 16 KiB",
        );
      },
    }),
  );

  app.use(
    `${ISLANDS_URL_PREFIX}/*`,
    async (c, next) => {
      await next();
      if (c.res.ok) {
        c.res.headers.set(
          "cache-control",
          "public, max-age=31536000, immutable",
        );
      }
    },
    serveStatic({
      root: `${root}/${config.buildDir}/islands`,
      rewriteRequestPath: (path) => path.slice(ISLANDS_URL_PREFIX.length),
    }),
  );

  // Files in static/ are public and served before the routes' session middleware. Only
  // paths with a file extension are looked up, so API polls cost no file system check.
  const serveStaticFile = serveStatic({ root: `${root}/static` });
  app.use(
    "*",
    (c, next) =>
      /\.[a-z0-9]+$/i.test(c.req.path) ? serveStaticFile(c, next) : next(),
  );

  const pages = mountManifest<State>(app, manifest, {
    build,
    // The app's own 405: the JSON envelope under /api, like every other API error.
    methodNotAllowed: (request, allow) => {
      const error = new DomainError(
        "method_not_allowed",
        "method_not_allowed",
        `${request.method} is not allowed here; use ${allow}`,
        { allow: allow.split(", ") },
      );
      const response = isApi(new URL(request.url).pathname)
        ? jsonError(error)
        : new Response(error.message, { status: 405 });
      response.headers.set("allow", allow);
      return response;
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
    if (!(err instanceof DomainError)) console.error(err);
    if (isApi(c.req.path)) return jsonError(error);
    return renderError(
      c.get("state"),
      new URL(c.req.url),
      statusOf(error),
      error.message,
    );
  });

  return app;
}
