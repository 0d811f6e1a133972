import assert from "node:assert/strict";
import { Frame, GIF, Image } from "imagescript";
import encodeWebp from "@jsquash/webp/encode.js";
import { processImage } from "../lib/images.ts";
import {
  jpegOrientation,
  stripJpegMetadata,
  stripWebpMetadata,
} from "../lib/image_metadata.ts";
import { GPS_MARK } from "./attachment_fixtures.ts";

/** An EXIF APP1 segment: a TIFF header in either byte order, Orientation, then a GPS text. */
function exifSegment(orientation: number, little: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const view = new DataView(tiff.buffer);
  tiff.set(little ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, little);
  view.setUint32(4, 8, little);
  view.setUint16(8, 1, little);
  view.setUint16(10, 0x0112, little);
  view.setUint16(12, 3, little);
  view.setUint32(14, 1, little);
  view.setUint16(18, orientation, little);
  const payload = new Uint8Array([
    ...new TextEncoder().encode("Exif\0\0"),
    ...tiff,
    ...new TextEncoder().encode(GPS_MARK),
  ]);
  const length = payload.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...payload]);
}

/** A 40×20 JPEG, red on the left half and blue on the right, stored with `orientation`. */
async function sidewaysPhoto(
  orientation: number,
  little = false,
): Promise<Uint8Array> {
  const image = new Image(40, 20);
  image.fill((x: number) => x <= 20 ? 0xff0000ff : 0x0000ffff);
  const plain = await image.encodeJPEG(95);
  return new Uint8Array([
    ...plain.subarray(0, 2),
    ...exifSegment(orientation, little),
    ...plain.subarray(2),
  ]);
}

Deno.test("stripJpegMetadata() keeps the orientation alone, in a minimal EXIF, and drops the rest", async () => {
  for (const little of [false, true]) {
    const photo = await sidewaysPhoto(6, little);
    assert.equal(jpegOrientation(photo), 6);
    const stripped = stripJpegMetadata(photo);
    assert.equal(jpegOrientation(stripped), 6);
    assert.ok(!new TextDecoder("latin1").decode(stripped).includes(GPS_MARK));
  }
  // Upright photos keep no EXIF at all.
  const upright = stripJpegMetadata(await sidewaysPhoto(1));
  assert.ok(!new TextDecoder("latin1").decode(upright).includes("Exif"));
});

Deno.test("a photo taken sideways (EXIF 6) is sized and thumbnailed upright: its left side at the top", async () => {
  const processed = await processImage(await sidewaysPhoto(6), "image/jpeg");
  assert.deepEqual([processed.width, processed.height], [20, 40]);
  const thumb = processed.thumbnail!;
  assert.deepEqual([thumb.width, thumb.height], [20, 40]);
  const decoded = await Image.decode(thumb.bytes);
  const [topRed, , topBlue] = decoded.getRGBAAt(10, 2);
  const [bottomRed, , bottomBlue] = decoded.getRGBAAt(10, 39);
  assert.ok(topRed > 200 && topBlue < 60, "red (the left side) is on top");
  assert.ok(bottomBlue > 200 && bottomRed < 60, "blue is at the bottom");
});

Deno.test("every EXIF orientation gives the shown size; 8 puts the left side at the bottom", async () => {
  for (let o = 1; o <= 8; o++) {
    const processed = await processImage(await sidewaysPhoto(o), "image/jpeg");
    const sideways = o >= 5;
    assert.deepEqual(
      [processed.width, processed.height],
      sideways ? [20, 40] : [40, 20],
      `orientation ${o}`,
    );
  }
  const eight = await processImage(await sidewaysPhoto(8), "image/jpeg");
  const decoded = await Image.decode(eight.thumbnail!.bytes);
  assert.ok(decoded.getRGBAAt(10, 39)[0] > 200, "red (the left side) below");
});

Deno.test("a GIF gets a thumbnail of its first frame", async () => {
  const frame = new Frame(640, 320, 100);
  frame.fill(0x00ff00ff);
  const gif = await new GIF([frame]).encode();
  const processed = await processImage(gif, "image/gif");
  assert.deepEqual([processed.width, processed.height], [640, 320]);
  assert.deepEqual(
    [processed.thumbnail?.width, processed.thumbnail?.height],
    [320, 160],
  );
  const decoded = await Image.decode(processed.thumbnail!.bytes);
  assert.ok(decoded.getRGBAAt(160, 80)[1] > 200, "green, as the frame");
});

Deno.test("a picture claiming more than 50 megapixels is sized from its header and never decoded", async () => {
  // A PNG signature and an IHDR of 30000×30000 (3.6 GB of pixels), then garbage.
  const png = new Uint8Array(64);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  png.set(new TextEncoder().encode("IHDR"), 12);
  const view = new DataView(png.buffer);
  view.setUint32(16, 30_000);
  view.setUint32(20, 30_000);
  png.set([8, 6, 0, 0, 0], 24);
  const processed = await processImage(png, "image/png");
  assert.deepEqual([processed.width, processed.height], [30_000, 30_000]);
  assert.equal(processed.thumbnail, undefined);
});

Deno.test("a WebP picture gets a thumbnail too (jSquash's WebAssembly decoder)", async () => {
  const data = new Uint8ClampedArray(640 * 480 * 4);
  for (let i = 0; i < data.length; i += 4) data.set([0, 0, 255, 255], i);
  const webp = new Uint8Array(
    await encodeWebp(
      { width: 640, height: 480, data, colorSpace: "srgb" } as ImageData,
      { quality: 90 },
    ),
  );
  const processed = await processImage(webp, "image/webp");
  assert.deepEqual([processed.width, processed.height], [640, 480]);
  assert.deepEqual(
    [processed.thumbnail?.width, processed.thumbnail?.height],
    [320, 240],
  );
  const decoded = await Image.decode(processed.thumbnail!.bytes);
  assert.ok(decoded.getRGBAAt(160, 120)[2] > 200, "blue, as the picture");
});

/** A RIFF chunk: FourCC, little-endian size, payload, a pad byte when the size is odd. */
function riffChunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length + (payload.length % 2));
  out.set(new TextEncoder().encode(type));
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

Deno.test("a WebP loses its EXIF and XMP chunks (GPS included) and still decodes", async () => {
  const data = new Uint8ClampedArray(64 * 48 * 4).fill(255);
  const plain = new Uint8Array(
    await encodeWebp(
      { width: 64, height: 48, data, colorSpace: "srgb" } as ImageData,
      { quality: 90 },
    ),
  );
  // The extended format a camera or editor writes: VP8X saying "EXIF and XMP follow".
  const vp8x = new Uint8Array(10);
  vp8x[0] = 0x0c;
  vp8x.set([63, 0, 0, 47, 0, 0], 4); // canvas 64 × 48, each stored minus one
  const te = new TextEncoder();
  const chunks = [
    riffChunk("VP8X", vp8x),
    plain.subarray(12), // the image chunk of the plain file
    riffChunk("EXIF", te.encode(`MM\0*${GPS_MARK}`)),
    riffChunk("XMP ", te.encode(`<x:xmpmeta>${GPS_MARK}</x:xmpmeta>`)),
  ];
  const body = chunks.reduce((n, c) => n + c.length, 4);
  const webp = new Uint8Array(8 + body);
  webp.set(te.encode("RIFF"));
  new DataView(webp.buffer).setUint32(4, body, true);
  webp.set(te.encode("WEBP"), 8);
  let at = 12;
  for (const chunk of chunks) {
    webp.set(chunk, (at += chunk.length) - chunk.length);
  }
  assert.ok(new TextDecoder("latin1").decode(webp).includes(GPS_MARK));

  const processed = await processImage(webp, "image/webp");
  const text = new TextDecoder("latin1").decode(processed.bytes);
  assert.ok(!text.includes(GPS_MARK), "metadata left in the stored WebP");
  assert.ok(!text.includes("EXIF") && !text.includes("XMP "));
  const view = new DataView(processed.bytes.buffer);
  assert.equal(
    view.getUint32(4, true),
    processed.bytes.length - 8,
    "RIFF size",
  );
  assert.equal(
    processed.bytes[20] & 0x0c,
    0,
    "VP8X no longer promises metadata",
  );
  assert.deepEqual([processed.width, processed.height], [64, 48]);
  assert.ok(processed.thumbnail, "still decodes");
  // Not a WebP, or a plain one: the bytes come back as they were.
  assert.deepEqual(stripWebpMetadata(plain), plain);
  const junk = te.encode("not a picture");
  assert.equal(stripWebpMetadata(junk), junk);
});
