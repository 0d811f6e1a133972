/** Reads a server-sent event stream block by block, as the tests need it. */

export interface SseBlock {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE blocks from a response body as they arrive. */
export function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<SseBlock | null> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const block: Record<string, string> = {};
        for (const line of raw.split("\n")) {
          if (line.startsWith(":")) block.comment = line.slice(1).trim();
          else {
            const i = line.indexOf(": ");
            block[line.slice(0, i)] = line.slice(i + 2);
          }
        }
        return block as SseBlock;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += value;
    }
  };
  return {
    next,
    /** The next block that is an event (skipping comments). */
    async nextEvent(): Promise<SseBlock | null> {
      for (;;) {
        const block = await next();
        if (!block || block.event) return block;
      }
    },
    cancel: () => reader.cancel(),
  };
}
