/**
 * Removes metadata from JPEG and PNG files without re-encoding them: the pixels stay
 * exactly as sent, only the segments or chunks that carry EXIF (GPS included), XMP,
 * IPTC, comments and text go. Re-encoding would also strip them but loses quality, and
 * the image libraries that run on Deno Deploy have no lossless writer for this.
 */

/** JPEG APPn segments kept: APP0 (JFIF), APP2 (ICC colour profile), APP14 (Adobe). */
const KEPT_JPEG_APP = new Set([0xe0, 0xe2, 0xee]);

/** A JPEG without APP1 (EXIF, XMP), other APPn metadata and COM segments. */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) break;
    const marker = bytes[offset + 1];
    // Fill bytes before a marker are allowed.
    if (marker === 0xff) {
      offset++;
      continue;
    }
    // Markers without a length: TEM and RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      parts.push(bytes.subarray(offset, offset + 2));
      offset += 2;
      continue;
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    const end = offset + 2 + length;
    // Start of scan: the entropy-coded data and everything after it is kept as it is.
    if (marker === 0xda) {
      parts.push(bytes.subarray(offset));
      return concat(parts);
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const isComment = marker === 0xfe;
    const keep = !isComment &&
      (!isApp || (KEPT_JPEG_APP.has(marker) && !isXmpOrExif(bytes, offset)));
    if (keep) parts.push(bytes.subarray(offset, Math.min(end, bytes.length)));
    offset = end;
  }
  parts.push(bytes.subarray(offset));
  return concat(parts);
}

function isXmpOrExif(bytes: Uint8Array, offset: number): boolean {
  const id = new TextDecoder().decode(bytes.subarray(offset + 4, offset + 10));
  return id.startsWith("Exif") || id.startsWith("http");
}

/** PNG chunks that carry text or metadata; everything else (pixels, colour, APNG) stays. */
const DROPPED_PNG_CHUNKS = new Set(["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]);

/** A PNG without text chunks, EXIF (`eXIf`) and its modification time. */
export function stripPngMetadata(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (!DROPPED_PNG_CHUNKS.has(type)) {
      parts.push(bytes.subarray(offset, Math.min(end, bytes.length)));
    }
    offset = end;
    if (type === "IEND") break;
  }
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
