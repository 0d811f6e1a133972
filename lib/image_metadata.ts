/**
 * Removes metadata from JPEG, PNG and WebP files without re-encoding them: the pixels stay
 * exactly as sent, only the segments or chunks that carry EXIF (GPS included), XMP,
 * IPTC, comments and text go. Re-encoding would also strip them but loses quality, and
 * the image libraries that run on Deno Deploy have no lossless writer for this.
 *
 * One fact of the EXIF is kept: a phone stores a photo taken upright as sideways pixels
 * plus an orientation tag, so dropping the tag would show it lying down. A stripped JPEG
 * gets a new, minimal EXIF segment holding that tag alone (nothing else, no position).
 */

/** JPEG APPn segments kept: APP0 (JFIF), APP2 (ICC colour profile), APP14 (Adobe). */
const KEPT_JPEG_APP = new Set([0xe0, 0xe2, 0xee]);

/**
 * A JPEG without APP1 (EXIF, XMP), other APPn metadata and COM segments; an orientation
 * other than "upright" comes back as a minimal EXIF segment right after SOI.
 */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
  const orientation = jpegOrientation(bytes);
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  if (orientation !== 1) parts.push(orientationSegment(orientation));
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

/** The EXIF orientation of a JPEG (1–8: upright, mirrored, rotated…); 1 when none is readable. */
export function jpegOrientation(bytes: Uint8Array): number {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    if (marker === 0xda) break;
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (marker === 0xe1 && isExif(bytes, offset)) {
      return tiffOrientation(bytes.subarray(offset + 10, offset + 2 + length));
    }
    offset += 2 + length;
  }
  return 1;
}

/** Tag 0x0112 of the first IFD of a TIFF structure (EXIF's body), either byte order. */
function tiffOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 1;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return 1;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** APP1 "Exif": a big-endian TIFF header and one IFD with one SHORT entry, Orientation. */
function orientationSegment(orientation: number): Uint8Array {
  return new Uint8Array([
    ...[0xff, 0xe1, 0x00, 0x22], // APP1, 34 bytes follow (this length included)
    ...[0x45, 0x78, 0x69, 0x66, 0x00, 0x00], // "Exif\0\0"
    ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08], // "MM", 42, first IFD at 8
    ...[0x00, 0x01], // one entry
    ...[
      0x01,
      0x12,
      0x00,
      0x03,
      0x00,
      0x00,
      0x00,
      0x01,
      0x00,
      orientation,
      0,
      0,
    ],
    ...[0x00, 0x00, 0x00, 0x00], // no next IFD
  ]);
}

function isExif(bytes: Uint8Array, offset: number): boolean {
  return new TextDecoder().decode(bytes.subarray(offset + 4, offset + 10)) ===
    "Exif\0\0";
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

/** WebP chunks that carry metadata; VP8X's flags for them are cleared as they go. */
const DROPPED_WEBP_CHUNKS = new Set(["EXIF", "XMP "]);
/** VP8X flag bits: EXIF (0x08) and XMP (0x04) present. */
const VP8X_METADATA_FLAGS = 0x0c;

/**
 * A WebP without its EXIF and XMP chunks (RIFF: "RIFF", size, "WEBP", then chunks of
 * FourCC, little-endian size, payload padded to even). Unlike JPEG no orientation is
 * kept: WebP's specification says metadata must not change how the image is shown.
 */
export function stripWebpMetadata(bytes: Uint8Array): Uint8Array {
  const ascii = (at: number) =>
    String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || ascii(0) !== "RIFF" || ascii(8) !== "WEBP") {
    return bytes;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.slice(0, 12)];
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const type = ascii(offset);
    const size = view.getUint32(offset + 4, true);
    const end = Math.min(bytes.length, offset + 8 + size + (size % 2));
    if (type === "VP8X" && size >= 10) {
      const chunk = bytes.slice(offset, end);
      chunk[8] &= ~VP8X_METADATA_FLAGS;
      parts.push(chunk);
    } else if (!DROPPED_WEBP_CHUNKS.has(type)) {
      parts.push(bytes.subarray(offset, end));
    }
    offset = end;
  }
  const out = concat(parts);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
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
