/**
 * Files for attachment tests, made in the test: a JPEG carrying EXIF with a GPS position,
 * XMP and a comment; a PNG with text and eXIf chunks; a PDF, a ZIP, an SVG with a script
 * and an HTML page. Every metadata block carries `GPS_MARK`, so a test can check that
 * none of it reached the stored bytes.
 */
import { Image } from "imagescript";
import { TestClient } from "./helpers.ts";

export const GPS_MARK = "GPS 51.5007N 0.1246W secret-place";

const te = new TextEncoder();

function segment(marker: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = 0xff;
  out[1] = marker;
  out[2] = (payload.length + 2) >> 8;
  out[3] = (payload.length + 2) & 0xff;
  out.set(payload, 4);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A `width`×`height` JPEG with EXIF (GPS), XMP and a comment inserted after SOI. */
export async function jpegWithGps(
  width = 800,
  height = 600,
): Promise<Uint8Array> {
  const image = new Image(width, height);
  image.fill(0x3366ccff);
  const plain = await image.encodeJPEG(80);
  const exif = segment(0xe1, te.encode(`Exif\0\0MM\0*${GPS_MARK}`));
  const xmp = segment(
    0xe1,
    te.encode(
      `http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${GPS_MARK}</x:xmpmeta>`,
    ),
  );
  const comment = segment(0xfe, te.encode(GPS_MARK));
  return concat(plain.subarray(0, 2), exif, xmp, comment, plain.subarray(2));
}

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ -1) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(te.encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG with `tEXt`, `iTXt` and `eXIf` chunks before its pixels. */
export async function pngWithText(
  width = 400,
  height = 1000,
): Promise<Uint8Array> {
  const image = new Image(width, height);
  image.fill(0xff880080);
  const plain = await image.encode();
  const ihdrEnd = 8 + 25;
  return concat(
    plain.subarray(0, ihdrEnd),
    pngChunk("tEXt", te.encode(`Comment\0${GPS_MARK}`)),
    pngChunk("iTXt", te.encode(`XML:com.adobe.xmp\0\0\0\0\0${GPS_MARK}`)),
    pngChunk("eXIf", te.encode(`MM\0*${GPS_MARK}`)),
    plain.subarray(ihdrEnd),
  );
}

/** A small valid-looking PDF. */
export function pdf(): Uint8Array {
  return te.encode(
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
      "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  );
}

/** A ZIP holding one stored file. */
export function zip(): Uint8Array {
  const name = te.encode("hello.txt");
  const data = te.encode("hello");
  const crc = crc32(data);
  const local = new Uint8Array(30 + name.length + data.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 10, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, data.length, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  local.set(data, 30 + name.length);
  const central = new Uint8Array(46 + name.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true);
  cv.setUint16(6, 10, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, data.length, true);
  cv.setUint32(24, data.length, true);
  cv.setUint16(28, name.length, true);
  central.set(name, 46);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, local.length, true);
  return concat(local, central, end);
}

export const SVG_WITH_SCRIPT = te.encode(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script><circle r="5"/></svg>',
);
export const HTML_PAGE = te.encode(
  "<!doctype html><html><body><script>alert(1)</script></body></html>",
);

/** The upload URL of the conversation with `peer`. */
export function uploadPath(peer: string): string {
  return `/api/conversations/${encodeURIComponent(peer)}/attachments`;
}

/** Uploads bytes as the `file` field, claiming `claimedType` (which the server ignores). */
export function upload(
  client: TestClient,
  peer: string,
  bytes: Uint8Array,
  name: string,
  claimedType = "application/octet-stream",
): Promise<Response> {
  const form = new FormData();
  form.append(
    "file",
    new File([bytes as BlobPart], name, { type: claimedType }),
  );
  return client.fetch(uploadPath(peer), { method: "POST", body: form });
}

/** Every byte stored for an attachment, file and thumbnail chunks, as one string. */
export async function storedBytes(kv: Deno.Kv, id: string): Promise<string> {
  let text = "";
  for await (const entry of kv.list<Uint8Array>({ prefix: [] })) {
    if (entry.key.includes(id) && entry.value instanceof Uint8Array) {
      text += new TextDecoder("latin1").decode(entry.value);
    }
  }
  return text;
}
