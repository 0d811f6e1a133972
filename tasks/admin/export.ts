/** `export [--output FILE]`: every entry worth keeping, as JSON Lines, streamed. */
import type { Command } from "./command.ts";
import { plural } from "./format.ts";
import { encodeEnd, encodeEntry, HEADER } from "./jsonl.ts";
import { BufferedWriter, type ByteSink } from "./lines.ts";

export const exportData: Command = {
  name: "export",
  summary: "write everything as JSON Lines (a backup)",
  description:
    "Writes users (with password hashes), linked sign-in providers, conversations with\n" +
    "their messages in order, indexes and counters: one JSON object per line in KV key\n" +
    "order, so the same data always gives the same bytes. Sessions and pending sign-ins\n" +
    "are left out (restoring signs everyone out). Streams: memory stays flat however big\n" +
    "the database is. With --output, writes FILE.partial and renames it when complete.\n" +
    "While the server runs, each entry is exact but later ones may be newer than earlier.",
  example: "deno task admin export --output backup.jsonl",
  args: {
    options: {
      output: { value: "FILE", description: "write to FILE instead of stdout" },
    },
  },
  async run(args, open) {
    const db = await open();
    const output = args.options.output;
    if (output === undefined) {
      await writeExport(db.exportEntries(), Deno.stdout);
      return;
    }
    const partial = `${output}.partial`;
    const file = await Deno.open(partial, {
      write: true,
      create: true,
      truncate: true,
    });
    let entries: number;
    try {
      entries = await writeExport(db.exportEntries(), file);
    } finally {
      file.close();
    }
    await Deno.rename(partial, output);
    console.log(
      `Exported ${plural(entries, "entry", "entries")} to ${output}`,
    );
  },
};

/** Writes the header, one line per entry and the end line; returns the entry count. */
async function writeExport(
  entries: AsyncIterable<Deno.KvEntry<unknown>>,
  sink: ByteSink,
): Promise<number> {
  const writer = new BufferedWriter(sink);
  await writer.write(JSON.stringify(HEADER) + "\n");
  let count = 0;
  for await (const entry of entries) {
    await writer.write(encodeEntry(entry.key, entry.value) + "\n");
    count++;
  }
  await writer.write(encodeEnd(count) + "\n");
  await writer.flush();
  return count;
}
