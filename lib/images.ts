/**
 * Photos before storage: metadata stripped (JPEG, PNG), size read, and a thumbnail of at
 * most 320 px on its long side. Decoding uses imagescript's WebAssembly decoders and its
 * pure-JavaScript framebuffer (resize, PNG encoder) directly: its main module loads a
 * native add-on for encoding, which Deno Deploy cannot run, so it is never imported.
 */
import framebufferModule from "imagescript/v2/framebuffer.js";
import jpegCodec from "imagescript/wasm/node/jpeg.js";
import pngCodec from "imagescript/wasm/node/png.js";
import {
  jpegOrientation,
  stripJpegMetadata,
  stripPngMetadata,
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
    : input;
  // WebP and GIF: sized from their headers, shown scaled (imagescript decodes neither
  // without its native add-on).
  if (type === "image/webp") return { bytes, ...webpSize(bytes) };
  if (type === "image/gif") return { bytes, ...gifSize(bytes) };
  await acquire();
  try {
    const decoded = await decodeRgba(bytes, type);
    const { width, height } = decoded;
    const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height));
    // Sizes and the thumbnail are of the photo as shown: upright, as EXIF says.
    const orientation = type === "image/jpeg" ? jpegOrientation(bytes) : 1;
    const thumb = orient(
      decoded.resize(
        "linear",
        Math.max(1, Math.round(width * scale)),
        Math.max(1, Math.round(height * scale)),
      ),
      orientation,
    );
    const sideways = orientation >= 5;
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
