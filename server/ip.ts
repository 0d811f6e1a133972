/**
 * IP addresses and CIDR ranges, IPv4 and IPv6, as 128-bit numbers (IPv4 as IPv4-mapped
 * IPv6), so one comparison serves both families and `::ffff:10.0.0.1` equals `10.0.0.1`.
 */

export interface Cidr {
  /** The network address, masked. */
  network: bigint;
  /** Prefix length out of 128. */
  bits: number;
}

const V4_MAPPED = 0xffffn << 32n;

function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = head.lastIndexOf(":");
  if (head.includes(".")) {
    tailV4 = parseIpv4(head.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = head.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => s === "" ? [] : s.split(":");
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...left, ...Array(missing).fill("0"), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** An address as a 128-bit number, or null when `text` is not an IP address. */
export function parseIp(text: string): bigint | null {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (bare.includes(":")) return parseIpv6(bare);
  const v4 = parseIpv4(bare);
  return v4 === null ? null : V4_MAPPED | v4;
}

/** `10.0.0.0/8`, `fd00::/8` or a single address; null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const [address, prefix, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const ip = parseIp(address);
  if (ip === null) return null;
  const isV4 = !address.includes(":");
  const max = isV4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return null;
  const length = prefix === undefined ? max : Number(prefix);
  if (length > max) return null;
  const bits = isV4 ? length + 96 : length;
  return { network: ip & mask(bits), bits };
}

function mask(bits: number): bigint {
  return bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
}

/** True when `address` lies in one of `ranges`. */
export function inRanges(address: string, ranges: readonly Cidr[]): boolean {
  const ip = parseIp(address);
  if (ip === null) return false;
  return ranges.some((r) => (ip & mask(r.bits)) === r.network);
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackIp(address: string): boolean {
  return inRanges(address, LOOPBACK);
}

const LOOPBACK = [parseCidr("127.0.0.0/8")!, parseCidr("::1")!];
