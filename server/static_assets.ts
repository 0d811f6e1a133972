/**
 * Content-hashed URLs for the files in `static/`. At startup every file is read and
 * hashed; pages link to `/_static/<hash>/<name>` (through `assetUrl`), which is served
 * from memory with a year-long immutable cache, so a browser fetches `styles.css` once per
 * version instead of on every page. The plain `/<name>` URLs keep working with a short
 * cache, for bookmarks and old pages.
 */
import { createHash } from "node:crypto";

/** Where hashed assets are served from. */
export const HASHED_PREFIX = "/_static";
/** The header of a hashed (never changing) asset. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** The header of an asset under its plain, unhashed name. */
export const SHORT_CACHE = "public, max-age=300";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  webmanifest: "application/manifest+json",
};

export interface Asset {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
}

export interface StaticAssets {
  /** The hashed URL of `/name` (a path under static/), or the path itself if unknown. */
  url(path: string): string;
  /** The asset at a hashed URL path, or null. */
  lookup(path: string): Asset | null;
  /** The asset under its plain name (`/styles.css`), or null. */
  lookupPlain(path: string): Asset | null;
}

/**
 * Reads and hashes every file directly in `dir` (sub-folders are not used). Synchronous:
 * it runs once while the app is composed, before the first request.
 */
export function loadStaticAssets(dir: string): StaticAssets {
  const urls = new Map<string, string>();
  const byUrl = new Map<string, Asset>();
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isFile) continue;
    const bytes = Deno.readFileSync(`${dir}/${entry.name}`);
    const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
    const url = `${HASHED_PREFIX}/${hash}/${entry.name}`;
    const ext = entry.name.split(".").pop()!.toLowerCase();
    urls.set(`/${entry.name}`, url);
    byUrl.set(url, {
      bytes,
      type: TYPES[ext] ?? "application/octet-stream",
    });
  }
  return {
    url: (path) => urls.get(path) ?? path,
    lookup: (path) => byUrl.get(path) ?? null,
    lookupPlain: (path) => byUrl.get(urls.get(path) ?? "") ?? null,
  };
}
