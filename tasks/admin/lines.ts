/**
 * Streaming text in and out for export and import: a line splitter over a byte stream and
 * a buffered writer, so a file of any size passes through a small, fixed amount of memory.
 */

/** Yields the lines of a UTF-8 byte stream, without their "\n" (or "\r\n"). */
export async function* readLines(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let start = 0;
    for (
      let nl = pending.indexOf("\n");
      nl !== -1;
      nl = pending.indexOf("\n", start)
    ) {
      yield stripCr(pending.slice(start, nl));
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  if (pending !== "") yield stripCr(pending);
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Something bytes can be written to, like `Deno.stdout` or a `Deno.FsFile`. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<number>;
}

/** Collects text and writes it in chunks of about 64 KiB. */
export class BufferedWriter {
  #parts: string[] = [];
  #size = 0;
  #encoder = new TextEncoder();

  constructor(readonly sink: ByteSink, readonly chunkSize = 64 * 1024) {}

  /** Queues text; writes once enough has gathered. */
  async write(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size >= this.chunkSize) await this.flush();
  }

  /** Writes everything queued, looping over short writes. */
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const bytes = this.#encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    let written = 0;
    while (written < bytes.length) {
      written += await this.sink.write(bytes.subarray(written));
    }
  }
}
