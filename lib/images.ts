/**
 * Photos before storage: metadata stripped (JPEG, PNG), size read, and a thumbnail of at
 * most 320 px on its long side. Decoding and resizing use imagescript (pure JavaScript and
 * WebAssembly, no native add-on), so it runs unchanged on Deno Deploy.
 */
import { decode, GIF, Image } from "imagescript";
import { stripJpegMetadata, stripPngMetadata } from "./image_metadata.ts";

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
  if (type === "image/webp") return { bytes, ...webpSize(bytes) };
  await acquire();
  try {
    const decoded = await decode(bytes, true);
    const image = decoded instanceof GIF ? decoded[0] : decoded;
    const { width, height } = image;
    const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height));
    const thumb = (image as Image).clone().resize(
      Math.max(1, Math.round(width * scale)),
      Math.max(1, Math.round(height * scale)),
    );
    // JPEG photos stay JPEG; the others may have transparency, which PNG keeps.
    const thumbnail = type === "image/jpeg"
      ? { bytes: await thumb.encodeJPEG(80), type: "image/jpeg" }
      : { bytes: await thumb.encode(), type: "image/png" };
    return {
      bytes,
      width,
      height,
      thumbnail: { ...thumbnail, width: thumb.width, height: thumb.height },
    };
  } catch {
    return { bytes };
  } finally {
    release();
  }
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
