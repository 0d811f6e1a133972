/**
 * Compresses HTML, JavaScript, CSS, JSON and SVG answers of 1 KiB or more with brotli or
 * gzip, whichever the client accepts (brotli first). Event streams are never touched
 * (compression would hold events back in its buffer), nor is anything already encoded or
 * marked `no-transform`. A long poll is compressed once its answer is complete, so holding
 * it is unaffected. (hono/compress would also compress bodies under the threshold whose
 * length it cannot see, and knows no brotli.)
 */
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Context, MiddlewareHandler } from "hono";

/** Bodies smaller than this are sent as they are: compression would not pay. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const COMPRESSIBLE =
  /^(text\/(html|css|javascript|plain)|application\/(json|javascript|manifest\+json)|image\/svg\+xml)\b/i;

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The encoding to use for an `Accept-Encoding` header, or null for none. */
export function chooseEncoding(header: string | null): "br" | "gzip" | null {
  if (!header) return null;
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(
      Boolean,
    );
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) =>
    (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return null;
}

/**
 * Swaps the answer. Hono's `c.res = …` copies the old answer's headers onto the new one,
 * which would bring back the uncompressed Content-Length: clear it first.
 */
function replace(c: Context, res: Response): void {
  c.res = undefined;
  c.res = res;
}

/** The middleware; register it early so it sees every finished answer. */
export function compress(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get("content-type") ?? "";
    if (
      !res.body || c.req.method === "HEAD" || !COMPRESSIBLE.test(type) ||
      res.headers.has("content-encoding") ||
      /\bno-transform\b/i.test(res.headers.get("cache-control") ?? "")
    ) return;
    const length = Number(res.headers.get("content-length") ?? NaN);
    if (length < COMPRESS_THRESHOLD_BYTES) return;
    const headers = new Headers(res.headers);
    const vary = headers.get("vary");
    if (!vary || !/\baccept-encoding\b/i.test(vary)) {
      headers.set(
        "vary",
        vary ? `${vary}, Accept-Encoding` : "Accept-Encoding",
      );
    }
    const encoding = chooseEncoding(c.req.header("accept-encoding") ?? null);
    const init = { status: res.status, statusText: res.statusText, headers };
    if (!encoding) {
      replace(c, new Response(res.body, init));
      return;
    }
    // Every compressible answer here is complete text (pages, JSON, files): read it whole.
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength < COMPRESS_THRESHOLD_BYTES) {
      replace(c, new Response(bytes, init));
      return;
    }
    const packed = encoding === "br"
      ? await brotliAsync(bytes, {
        // Quality 5 compresses a 2,000-message page in a few ms; 11 takes far longer.
        params: { [constants.BROTLI_PARAM_QUALITY]: 5 },
      })
      : await gzipAsync(bytes);
    headers.set("content-encoding", encoding);
    headers.set("content-length", String(packed.byteLength));
    const etag = headers.get("etag");
    if (etag && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
    replace(c, new Response(new Uint8Array(packed), init));
  };
}
