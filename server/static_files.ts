/**
 * Public files, served before the routes' session middleware: island bundles and
 * content-hashed static assets (cached for a year), and static/ under plain names.
 */
import type { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { ISLANDS_URL_PREFIX } from "../runtime/server/router.ts";
import {
  HASHED_PREFIX,
  IMMUTABLE,
  SHORT_CACHE,
  type StaticAssets,
} from "./static_assets.ts";

/** Mounts island bundles, hashed assets and static/ on `app`. */
export function mountStaticFiles(
  // deno-lint-ignore no-explicit-any
  app: Hono<any>,
  options: { assets: StaticAssets; islandsDir: string; staticDir: string },
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
    if (!asset) return c.notFound();
    return new Response(c.req.method === "HEAD" ? null : asset.bytes, {
      headers: {
        "content-type": asset.type,
        "content-length": String(asset.bytes.byteLength),
        "cache-control": IMMUTABLE,
      },
    });
  });

  // Files in static/ are public and served before the routes' session middleware. Only
  // paths with a file extension are looked up, so API polls cost no file system check.
  // Under their plain names they may change with a deploy: cached briefly only.
  const serveStaticFile = serveStatic({ root: options.staticDir });
  app.use("*", async (c, next) => {
    if (!/\.[a-z0-9]+$/i.test(c.req.path)) return next();
    await serveStaticFile(c, next);
    if (c.res.ok && !c.res.headers.has("cache-control")) {
      // The file response's headers are immutable: answer with a copy.
      const headers = new Headers(c.res.headers);
      headers.set("cache-control", SHORT_CACHE);
      const res = new Response(c.res.body, { status: c.res.status, headers });
      c.res = undefined;
      c.res = res;
    }
  });
}
