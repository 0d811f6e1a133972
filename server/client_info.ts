/**
 * Who is asking and over what: the client's address (for rate limits) and whether the
 * browser sees https (for `Secure` and `__Host-` cookies). Forwarded headers are believed
 * only from the proxies in `TRUST_PROXY`; from anyone else they are ignored, since any
 * client can send them.
 */
import { type Cidr, inRanges, parseIp } from "./ip.ts";

export interface ClientInfo {
  address: string;
  /** True when the browser talks to us over https. */
  secure: boolean;
}

/**
 * The rightmost `X-Forwarded-For` entry that is not one of our proxies: entries to its
 * left were written by the client and may be forged; entries to its right are ours.
 */
function forwardedFor(
  header: string | null,
  trusted: readonly Cidr[],
): string | null {
  if (!header) return null;
  const hops = header.split(",").map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (parseIp(hops[i]) === null) return null;
    if (!inRanges(hops[i], trusted)) return hops[i];
  }
  return hops[0] ?? null;
}

/** The client behind `peer` (the TCP peer), given the configured trusted proxies. */
export function resolveClient(
  req: Request,
  peer: string,
  options: { trustProxy: readonly Cidr[]; publicUrl?: string },
): ClientInfo {
  const publicHttps = options.publicUrl?.startsWith("https:") ?? false;
  const direct = new URL(req.url).protocol === "https:";
  if (options.trustProxy.length === 0 || !inRanges(peer, options.trustProxy)) {
    return { address: peer, secure: publicHttps || direct };
  }
  const address =
    forwardedFor(req.headers.get("x-forwarded-for"), options.trustProxy) ??
      peer;
  // The nearest proxy appends last; a client-sent value would sit to its left.
  const proto = req.headers.get("x-forwarded-proto")?.split(",").at(-1)?.trim()
    .toLowerCase();
  return {
    address,
    secure: publicHttps || direct || proto === "https",
  };
}

/** `url` as the browser sees it: https when `secure`, even if the proxy spoke http to us. */
export function browserUrl(url: URL, secure: boolean): URL {
  if (!secure || url.protocol === "https:") return url;
  const copy = new URL(url);
  copy.protocol = "https:";
  return copy;
}
