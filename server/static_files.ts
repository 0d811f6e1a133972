/**
 * Public files, served before the routes' session middleware: island bundles and
 * content-hashed static assets (cached for a year), and static/ under plain names (both
 * from memory).
 */
import type { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { ISLANDS_URL_PREFIX } from "../runtime/server/router.ts";
import {
  type Asset,
  HASHED_PREFIX,
  IMMUTABLE,
  SHORT_CACHE,
  type StaticAssets,
} from "./static_assets.ts";

/** Mounts island bundles, hashed assets and static/ on `app`. */
export function mountStaticFiles(
  // deno-lint-ignore no-explicit-any
  app: Hono<any>,
  options: { assets: StaticAssets; islandsDir: string },
): void {
  const { assets } = options;
  app.use(
    `${ISLANDS_URL_PREFIX}/*`,
    async (c, next) => {
      await next();
      if (c.res.ok) {
        c.res.headers.set(
          "cache-control",
          IMMUTABLE,
        );
      }
    },
    serveStatic({
      root: options.islandsDir,
      rewriteRequestPath: (path) => path.slice(ISLANDS_URL_PREFIX.length),
    }),
  );

  // Pages link static files by content hash (state.assetUrl), so they never change.
  app.get(`${HASHED_PREFIX}/*`, (c) => {
    const asset = assets.lookup(c.req.path);
    // An old hash after a deploy: a plain 404, never the login page.
    return asset ? answer(c.req.method, asset, IMMUTABLE) : c.notFound();
  });

  // Files in static/ are public and served, from memory, before the routes' session
  // middleware. Under their plain names they may change with a deploy: cached briefly.
  app.on(["GET", "HEAD"], "*", (c, next) => {
    const asset = assets.lookupPlain(c.req.path);
    return asset
      ? Promise.resolve(answer(c.req.method, asset, SHORT_CACHE))
      : next();
  });
}

function answer(method: string, asset: Asset, cacheControl: string): Response {
  return new Response(method === "HEAD" ? null : asset.bytes, {
    headers: {
      "content-type": asset.type,
      "content-length": String(asset.bytes.byteLength),
      "cache-control": cacheControl,
    },
  });
}
