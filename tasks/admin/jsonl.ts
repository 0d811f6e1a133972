/**
 * The export format: JSON Lines, one KV entry per line, between a header and an end line.
 * Everything JSON cannot say exactly is tagged (`u64`, `bytes`, `bigint`), so a round trip
 * gives back the same values and, because KV lists keys in a fixed order, the same bytes.
 *
 *   {"format":"natter-export","version":1}
 *   {"key":["users","…"],"value":{…}}
 *   {"key":["user_sent_counts","…"],"u64":"12"}
 *   {"end":true,"entries":2}
 */
import { decodeBase64, encodeBase64 } from "../../lib/encoding.ts";

export const HEADER = { format: "natter-export", version: 1 } as const;

type EncodedPart = string | number | boolean | { bigint: string } | {
  bytes: string;
} | { number: string };

/** One line of the export, without its newline. */
export function encodeEntry(key: Deno.KvKey, value: unknown): string {
  const encodedKey = key.map(encodePart);
  if (value instanceof Deno.KvU64) {
    return JSON.stringify({ key: encodedKey, u64: value.value.toString() });
  }
  if (value instanceof Uint8Array) {
    return JSON.stringify({ key: encodedKey, bytes: encodeBase64(value) });
  }
  if (typeof value === "bigint") {
    return JSON.stringify({ key: encodedKey, bigint: value.toString() });
  }
  const problem = notPlainJson(value);
  if (problem) {
    throw new Error(
      `Cannot export key ${JSON.stringify(encodedKey)}: ${problem}`,
    );
  }
  return JSON.stringify({ key: encodedKey, value });
}

/** The last line: lets import tell a complete file from a cut-off one. */
export function encodeEnd(entries: number): string {
  return JSON.stringify({ end: true, entries });
}

export type DecodedLine =
  | { kind: "entry"; key: Deno.KvKey; value: unknown }
  | { kind: "end"; entries: number };

/** Parses one line after the header; throws an Error saying what is wrong with it. */
export function decodeLine(line: string): DecodedLine {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw new Error("not valid JSON");
  }
  if (!isRecord(data)) throw new Error("not a JSON object");
  if (data.end === true) {
    if (typeof data.entries !== "number") throw new Error("bad end line");
    return { kind: "end", entries: data.entries };
  }
  if (!Array.isArray(data.key) || data.key.length === 0) {
    throw new Error('no "key" array');
  }
  const key = data.key.map(decodePart);
  const fields = Object.keys(data).filter((name) => name !== "key");
  if (fields.length !== 1) throw new Error("expected one value field");
  const raw = data[fields[0]];
  switch (fields[0]) {
    case "value":
      return { kind: "entry", key, value: raw };
    case "u64":
      return { kind: "entry", key, value: new Deno.KvU64(toBigInt(raw)) };
    case "bigint":
      return { kind: "entry", key, value: toBigInt(raw) };
    case "bytes":
      if (typeof raw !== "string") throw new Error('"bytes" is not a string');
      return { kind: "entry", key, value: decodeBase64(raw) };
    default:
      throw new Error(`unknown field "${fields[0]}"`);
  }
}

/** Checks the first line of a file. */
export function isHeader(line: string): boolean {
  try {
    const data = JSON.parse(line);
    return isRecord(data) && data.format === HEADER.format &&
      data.version === HEADER.version;
  } catch {
    return false;
  }
}

function encodePart(part: Deno.KvKeyPart): EncodedPart {
  if (typeof part === "string" || typeof part === "boolean") return part;
  if (typeof part === "bigint") return { bigint: part.toString() };
  if (part instanceof Uint8Array) return { bytes: encodeBase64(part) };
  if (typeof part !== "number") {
    throw new Error(`Cannot export a key part of type ${typeof part}`);
  }
  // JSON has no NaN, infinities or negative zero; KV keys can hold them.
  if (Number.isFinite(part) && !Object.is(part, -0)) return part;
  return { number: Object.is(part, -0) ? "-0" : String(part) };
}

function decodePart(part: unknown): Deno.KvKeyPart {
  if (
    typeof part === "string" || typeof part === "boolean" ||
    typeof part === "number"
  ) {
    return part;
  }
  if (isRecord(part)) {
    if (typeof part.bigint === "string") return toBigInt(part.bigint);
    if (typeof part.bytes === "string") return decodeBase64(part.bytes);
    if (typeof part.number === "string") return Number(part.number);
  }
  throw new Error(`bad key part ${JSON.stringify(part)}`);
}

function toBigInt(raw: unknown): bigint {
  if (typeof raw !== "string" || !/^-?\d+$/.test(raw)) {
    throw new Error(`bad integer ${JSON.stringify(raw)}`);
  }
  return BigInt(raw);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why a value would not survive JSON unchanged, or null when it would. */
function notPlainJson(value: unknown): string | null {
  if (value === null || typeof value === "string") return null;
  if (typeof value === "boolean") return null;
  if (typeof value === "number") {
    return Number.isFinite(value) ? null : `the number ${value}`;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = notPlainJson(item);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return `a ${proto?.constructor?.name ?? "non-plain"} object`;
    }
    for (const item of Object.values(value)) {
      if (item === undefined) continue;
      const problem = notPlainJson(item);
      if (problem) return problem;
    }
    return null;
  }
  return `a value of type ${typeof value}`;
}
