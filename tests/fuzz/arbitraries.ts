/**
 * fast-check generators of hostile input: control characters, lone surrogates, odd and
 * look-alike Unicode, URL syntax, huge strings, invalid UTF-8 bytes and JSON of every shape.
 */
import fc from "fast-check";

/** A seed for this run: `FUZZ_SEED=<n>` replays a failure; otherwise a fresh one, printed. */
export function fuzzSeed(name: string): number {
  const fixed = Deno.env.get("FUZZ_SEED");
  const seed = fixed ? Number(fixed) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}: FUZZ_SEED=${seed}`);
  return seed;
}

const charOf = (min: number, max: number) =>
  fc.integer({ min, max }).map((code) => String.fromCharCode(code));

/** One "character" that breaks things: a control, a surrogate half, syntax, a look-alike. */
const hostileUnit = fc.oneof(
  charOf(0x00, 0x1f),
  charOf(0x7f, 0x9f),
  charOf(0xd800, 0xdfff),
  charOf(0x20, 0x7e),
  charOf(0xa0, 0xff),
  fc.constantFrom(
    "\u200b",
    "\u200d",
    "\u2028",
    "\u202e",
    "\u2060",
    "\ufe0f",
    "\ufeff",
    "\uffff",
    "\u212a",
    "\u0130",
    "\u0131",
    "\u00df",
    "\u0301",
    "\u{e0001}",
    "\u{10ffff}",
    "😀",
    "🇺🇦",
    "👩‍👩‍👧",
    "Ж",
    "€",
    "%",
    "%00",
    "%zz",
    "%ED%A0%80",
    "../",
    "//",
    "\\",
    "?",
    "#",
    "&",
    "=",
    ";",
    ",",
    "\r\n",
    '"',
    "'",
    "<script>",
    "${",
    "__proto__",
  ),
);

/** A hostile string of modest length. */
export const hostileString = fc.string({ unit: hostileUnit, maxLength: 40 });

/** Sometimes huge: up to 70,000 units, past every limit the app has. */
export const hostileText = fc.oneof(
  { weight: 8, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.tuple(hostileUnit, fc.constantFrom(4001, 16_500, 70_000))
      .map(([unit, times]) => unit.repeat(times).slice(0, times)),
  },
);

/** Raw bytes, percent-encoded one by one: invalid UTF-8 reaches the server as is. */
export const percentEncodedBytes = fc.uint8Array({ maxLength: 24 }).map((
  bytes,
) => Array.from(bytes, (b) => `%${b.toString(16).padStart(2, "0")}`).join(""));

/** Percent-encodes any string, lone surrogates included (as U+FFFD, like browsers). */
export function encodeAny(value: string): string {
  return encodeURIComponent(value.toWellFormed());
}

/** A path segment or query value: either encoded hostile text or raw bytes. */
export const hostileUrlPart = fc.oneof(
  hostileString.map(encodeAny),
  percentEncodedBytes,
  fc.constantFrom(
    "",
    ".",
    "..",
    "%2e%2e",
    "%2F",
    "%5C",
    "%00",
    "a".repeat(3000),
  ),
);

/** JSON of every shape, plus bodies that only look like JSON. */
export const hostileJsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.record({
    text: fc.oneof(hostileText, fc.jsonValue({ maxDepth: 2 })),
    clientId: fc.oneof(
      fc.uuid(),
      hostileString,
      fc.jsonValue({ maxDepth: 1 }),
    ),
  }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  hostileString,
  fc.constantFrom(
    "",
    "{",
    '{"text":"\\ud800"}',
    '{"text":"\\u0000"}',
    '{"__proto__":{"text":"x"}}',
    '{"text":"a","text":1}',
    "[".repeat(5000),
    "1e999999",
  ),
);

/** A form's fields: the route's own names and random ones, with hostile values. */
export function hostileFields(names: string[]) {
  return fc.dictionary(
    fc.oneof(fc.constantFrom(...names), hostileString),
    hostileText,
    { maxKeys: 5 },
  );
}

/** A urlencoded body: well-formed from fields, or raw bytes and broken escapes. */
export function hostileFormBody(names: string[]) {
  return fc.oneof(
    hostileFields(names).map((fields) =>
      Object.entries(fields)
        .map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`)
        .join("&")
    ),
    fc.tuple(fc.constantFrom(...names), percentEncodedBytes).map(([k, v]) =>
      `${k}=${v}`
    ),
    hostileString.map((s) => s.toWellFormed()),
  );
}

/** A request Content-Type, sometimes wrong or malformed. */
export const hostileContentType = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "multipart/form-data",
  "multipart/form-data; boundary=x",
  "application/json",
  "application/json; charset=latin1",
  "text/plain",
  "",
);

/**
 * A Cookie header value. fetch() sends only tab, visible ASCII and bytes 0x80–0xFF, so
 * other characters are replaced (raw_bytes_fuzz_test.ts sends the rest over a socket).
 */
export const hostileCookie = fc.tuple(
  fc.constantFrom("natter_session", "natter_oauth", "x", ""),
  hostileString,
).map(([name, value]) => {
  const latin1 = value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
  return `${name}=${latin1}`.trim();
});
