/**
 * Streaming `multipart/form-data` for uploads, with busboy: the file part reaches the
 * caller as it arrives, so an upload is never held whole in memory. Text fields are small
 * and collected. `req.formData()` would buffer the whole body first.
 */
import busboy from "busboy";
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { DomainError } from "../lib/errors.ts";

/** What a multipart body held: its text fields and what `onFile` made of the `file` part. */
export interface MultipartResult<T> {
  fields: Record<string, string>;
  file?: T;
}

/** Multipart headers and boundaries: the most a body may add around its file. */
export const MULTIPART_OVERHEAD_BYTES = 48 * 1024;

/**
 * An upload may take as long as the line needs, but not stall: after this long without a
 * byte it fails with 408, so a client cannot hold an upload (and its chunks) open forever.
 */
export const UPLOAD_IDLE_MS = 30_000;

/** True when the request says it is `multipart/form-data`. */
export function isMultipart(req: Request): boolean {
  return /^multipart\/form-data\b/i.test(req.headers.get("content-type") ?? "");
}

/**
 * Reads a multipart body. `onFile` gets the part named `file` (the first one) as a stream
 * of bytes and must consume it; when it throws, the body is not read further and the
 * error is this function's. Limits: one file of `maxFileBytes` + 1 (so the caller sees
 * the excess), text fields of `maxFieldBytes`.
 */
export async function readMultipart<T>(
  req: Request,
  options: {
    maxFileBytes: number;
    maxFieldBytes: number;
    /** The upload fails (408) when no byte of it arrives for this long (UPLOAD_IDLE_MS). */
    idleMs?: number;
    onFile: (
      filename: string,
      bytes: AsyncIterable<Uint8Array>,
    ) => Promise<T>;
  },
): Promise<MultipartResult<T>> {
  const type = req.headers.get("content-type") ?? "";
  if (!isMultipart(req)) {
    throw new DomainError(
      "unsupported_media_type",
      "unsupported_media_type",
      "Content-Type must be multipart/form-data with a file field",
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": type },
      // Browsers send a file name's UTF-8 bytes as they are, not as RFC 5987.
      defParamCharset: "utf8",
      limits: {
        files: 1,
        fileSize: options.maxFileBytes + 1,
        fields: 10,
        fieldSize: options.maxFieldBytes,
        parts: 12,
        headerPairs: 20,
      },
    });
  } catch {
    throw badBody("The multipart body has no boundary");
  }
  if (!req.body) throw badBody("The request has no body");
  const source = Readable.fromWeb(req.body as unknown as NodeWebStream);
  return await new Promise<MultipartResult<T>>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let filePromise: Promise<T> | undefined;
    let fileStream: Readable | undefined;
    let failed = false;
    const idleMs = options.idleMs ?? UPLOAD_IDLE_MS;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() =>
        fail(
          new DomainError(
            "timeout",
            "upload_stalled",
            `No part of the upload arrived for ${idleMs / 1000} s`,
          ),
        ), idleMs);
    };
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      clearTimeout(idle);
      source.unpipe(parser);
      source.destroy();
      fileStream?.destroy(error as Error);
      // The upload's own refusal (too large, quota) wins over the stream errors it causes.
      (filePromise ?? Promise.resolve()).then(
        () => reject(error),
        (fileError) =>
          reject(fileError instanceof DomainError ? fileError : error),
      );
    };
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) {
        fail(
          new DomainError(
            "too_large",
            "payload_too_large",
            `The field "${name}" is too long`,
          ),
        );
      } else fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || filePromise) {
        stream.resume();
        return;
      }
      fileStream = stream;
      // `fail` destroys it with the error; the consumer sees that through its loop, and
      // an 'error' event nobody listens to would crash the process.
      stream.on("error", () => {});
      // Browsers escape `"`, CR and LF in a multipart file name as %22, %0D, %0A.
      const filename = (info.filename ?? "").replace(/%22/g, '"')
        .replace(/%0[DA]/gi, " ");
      filePromise = options.onFile(filename, chunksOf(stream));
      filePromise.catch(fail);
    });
    parser.on("error", () => fail(badBody("The multipart body is malformed")));
    parser.on("close", () => {
      clearTimeout(idle);
      if (failed) return;
      (filePromise ?? Promise.resolve(undefined)).then(
        (file) => resolve({ fields, ...(file === undefined ? {} : { file }) }),
        reject,
      );
    });
    // A dropped connection errors the source: the file stream must end too.
    source.on("error", () => fail(badBody("The upload was cut off")));
    source.on("data", alive);
    alive();
    source.pipe(parser);
  });
}

async function* chunksOf(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

function badBody(message: string): DomainError {
  return new DomainError("bad_request", "bad_multipart", message);
}
