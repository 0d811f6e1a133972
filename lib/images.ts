/**
 * Photos before storage: metadata stripped (JPEG, PNG, WebP), size read, and a thumbnail of at
 * most 320 px on its long side (JPEG, PNG, WebP, a GIF's first frame). Decoding uses imagescript's WebAssembly decoders and its
 * pure-JavaScript framebuffer (resize, PNG encoder) directly: its main module loads a
 * native add-on for encoding, which Deno Deploy cannot run, so it is never imported.
 */
import decodeWebp from "@jsquash/webp/decode.js";
import framebufferModule from "imagescript/v2/framebuffer.js";
import gifCodec from "imagescript/wasm/node/gif.js";
import jpegCodec from "imagescript/wasm/node/jpeg.js";
import pngCodec from "imagescript/wasm/node/png.js";
import {
  jpegOrientation,
  stripJpegMetadata,
  stripPngMetadata,
  stripWebpMetadata,
} from "./image_metadata.ts";

// A CommonJS module: its ES class is the `default` property of what is imported.
const Framebuffer = framebufferModule.default;

/** Types served inline and shown as pictures; everything else is a download. */
export const INLINE_IMAGE_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
]);

/** The longest side of a thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 320;

/**
 * Larger pictures (by their headers) get no thumbnail: decoding allocates 4 bytes per
 * pixel, so a 1 MB PNG of zeros claiming 30000×30000 would ask for 3.6 GB. 50 megapixels
 * (200 MB) is above any phone camera.
 */
export const MAX_DECODE_PIXELS = 50_000_000;

/** Decoding a 12-megapixel photo takes ~50 MB: at most this many at once per process. */
const MAX_CONCURRENT_DECODES = 2;
let decoding = 0;
const waiting: Array<() => void> = [];

export interface ProcessedImage {
  bytes: Uint8Array;
  width?: number;
  height?: number;
  thumbnail?: {
    bytes: Uint8Array;
    type: string;
    width: number;
    height: number;
  };
}

/**
 * Strips metadata and makes the thumbnail. An image the decoder cannot read is still
 * stored (stripped), without size or thumbnail: it is shown as a file.
 */
export async function processImage(
  input: Uint8Array,
  type: string,
): Promise<ProcessedImage> {
  const bytes = type === "image/jpeg"
    ? stripJpegMetadata(input)
    : type === "image/png"
    ? stripPngMetadata(input)
    : type === "image/webp"
    ? stripWebpMetadata(input)
    : input;
  const orientation = type === "image/jpeg" ? jpegOrientation(bytes) : 1;
  const sideways = orientation >= 5;
  const size = headerSize(bytes, type);
  const upright = sideways
    ? { width: size.height, height: size.width }
    : { ...size };
  // Too large to decode safely (or no size in the header): sized, shown scaled, no thumbnail.
  if (
    !size.width || !size.height || size.width * size.height > MAX_DECODE_PIXELS
  ) return { bytes, ...upright };
  await acquire();
  try {
    const decoded = await decodeRgba(bytes, type);
    const { width, height } = decoded;
    const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height));
    // Sizes and the thumbnail are of the photo as shown: upright, as EXIF says.
    const thumb = orient(
      decoded.resize(
        "linear",
        Math.max(1, Math.round(width * scale)),
        Math.max(1, Math.round(height * scale)),
      ),
      orientation,
    );
    return {
      bytes,
      width: sideways ? height : width,
      height: sideways ? width : height,
      thumbnail: {
        bytes: thumb.encode("png", { compression: "default" }),
        type: "image/png",
        width: thumb.width,
        height: thumb.height,
      },
    };
  } catch {
    return { bytes };
  } finally {
    release();
  }
}

async function decodeRgba(bytes: Uint8Array, type: string) {
  if (type === "image/gif") return await firstGifFrame(bytes);
  if (type === "image/webp") {
    // jSquash's WebAssembly build of libwebp (imagescript has none without its add-on).
    const { width, height, data } = await decodeWebp(bytes.slice().buffer);
    return new Framebuffer(width, height, new Uint8Array(data.buffer));
  }
  if (type === "image/jpeg") {
    const { width, height, buffer } = (await jpegCodec.init()).load(bytes);
    return new Framebuffer(width, height, buffer);
  }
  const { width, height, framebuffer: rgba } = (await pngCodec.init()).decode(
    bytes,
  );
  return new Framebuffer(width, height, rgba);
}

type Pixels = InstanceType<typeof Framebuffer>;

/**
 * The pixels turned and mirrored as EXIF orientation `o` (1–8) says the picture is
 * shown. By hand, pixel by pixel on the small thumbnail: imagescript's own rotate(90)
 * and rotate(270) scramble images that are not square (seen with 1.3.1).
 */
function orient(image: Pixels, o: number): Pixels {
  if (o <= 1 || o > 8) return image;
  const w = image.width, h = image.height;
  const sideways = o >= 5;
  const out = new Framebuffer(sideways ? h : w, sideways ? w : h);
  const from = new Uint32Array(image.u8.buffer, image.u8.byteOffset, w * h);
  const to = new Uint32Array(out.u8.buffer, out.u8.byteOffset, w * h);
  for (let dy = 0; dy < out.height; dy++) {
    for (let dx = 0; dx < out.width; dx++) {
      // Where the shown pixel (dx, dy) is in the stored image.
      const [sx, sy] = o === 2
        ? [w - 1 - dx, dy]
        : o === 3
        ? [w - 1 - dx, h - 1 - dy]
        : o === 4
        ? [dx, h - 1 - dy]
        : o === 5
        ? [dy, dx]
        : o === 6
        ? [dy, h - 1 - dx]
        : o === 7
        ? [w - 1 - dy, h - 1 - dx]
        : [w - 1 - dy, dx];
      to[dy * out.width + dx] = from[sy * w + sx];
    }
  }
  return out;
}

/** A GIF's first frame on its canvas: what its thumbnail shows. */
async function firstGifFrame(bytes: Uint8Array): Promise<Pixels> {
  const decoder = new (await gifCodec.init()).Decoder(bytes);
  try {
    const canvas = new Framebuffer(decoder.width, decoder.height);
    const frame = decoder.frame();
    if (!frame) return canvas;
    const columns = Math.max(0, Math.min(frame.width, canvas.width - frame.x));
    const rows = Math.max(0, Math.min(frame.height, canvas.height - frame.y));
    for (let y = 0; y < rows; y++) {
      const from = y * frame.width * 4;
      canvas.u8.set(
        frame.buffer.subarray(from, from + columns * 4),
        ((frame.y + y) * canvas.width + frame.x) * 4,
      );
    }
    return canvas;
  } finally {
    decoder.free();
  }
}

/** Width and height as the file's header states them (before any decoding). */
function headerSize(
  b: Uint8Array,
  type: string,
): { width?: number; height?: number } {
  if (type === "image/jpeg") return jpegSize(b);
  if (type === "image/png") {
    if (b.length < 24) return {};
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (type === "image/gif") return gifSize(b);
  if (type === "image/webp") return webpSize(b);
  return {};
}

/** A JPEG's size from its start-of-frame segment. */
function jpegSize(b: Uint8Array): { width?: number; height?: number } {
  let o = 2;
  while (o + 9 < b.length && b[o] === 0xff) {
    const marker = b[o + 1];
    if (marker === 0xff) {
      o++;
      continue;
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    const isFrame = marker >= 0xc0 && marker <= 0xcf &&
      marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      return {
        height: (b[o + 5] << 8) | b[o + 6],
        width: (b[o + 7] << 8) | b[o + 8],
      };
    }
    if (marker === 0xda) break;
    o += 2 + ((b[o + 2] << 8) | b[o + 3]);
  }
  return {};
}

/** A GIF's logical screen size from its header. */
function gifSize(b: Uint8Array): { width?: number; height?: number } {
  if (b.length < 10) return {};
  return { width: b[6] | (b[7] << 8), height: b[8] | (b[9] << 8) };
}

/** A WebP's size from its header (VP8, VP8L or VP8X), or nothing when unreadable. */
function webpSize(b: Uint8Array): { width?: number; height?: number } {
  const chunk = String.fromCharCode(...b.subarray(12, 16));
  if (chunk === "VP8X" && b.length >= 30) {
    return {
      width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)),
      height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)),
    };
  }
  if (chunk === "VP8 " && b.length >= 30) {
    return {
      width: (b[26] | (b[27] << 8)) & 0x3fff,
      height: (b[28] | (b[29] << 8)) & 0x3fff,
    };
  }
  if (chunk === "VP8L" && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return {};
}

function acquire(): Promise<void> {
  if (decoding < MAX_CONCURRENT_DECODES) {
    decoding++;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else decoding--;
}
