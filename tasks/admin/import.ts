/** `import [--input FILE] [--merge]`: load an export back, streaming, in atomic batches. */
import type { Db } from "../../lib/db/db.ts";
import { type Command, CommandError, UsageError } from "./command.ts";
import { plural } from "./format.ts";
import { decodeLine, isHeader } from "./jsonl.ts";
import { readLines } from "./lines.ts";

/** Entries per atomic commit: under KV's 1000 mutations and its total-size limit. */
const BATCH_ENTRIES = 500;
const BATCH_CHARS = 256 * 1024;

export const importData: Command = {
  name: "import",
  summary: "load an export into an empty database",
  description:
    "Reads an export (stdin, or --input FILE) and writes every entry, in batches, without\n" +
    "holding the file in memory. Refuses a database that already has data, unless\n" +
    "--merge: then each line replaces the key it names and other keys stay (use it to\n" +
    "finish an interrupted import, not to combine two unrelated installations). A file\n" +
    "without its end line is reported as cut off, after writing what it held.",
  example: "deno task admin import --input backup.jsonl",
  args: {
    flags: { merge: "write into a database that already has data" },
    options: {
      input: { value: "FILE", description: "read FILE instead of stdin" },
    },
  },
  async run(args, open) {
    const input = args.options.input;
    if (input === undefined && Deno.stdin.isTerminal()) {
      throw new UsageError(
        "Nothing to import: pass --input FILE or pipe an export into stdin",
        this.name,
      );
    }
    const db = await open();
    if (!args.flags.has("merge") && !await db.isEmpty()) {
      throw new CommandError(
        "Cannot import: the database is not empty (use --merge to write into it)",
      );
    }
    let file: Deno.FsFile | undefined;
    try {
      file = input === undefined ? undefined : await Deno.open(input);
    } catch (error) {
      throw new CommandError(
        `Cannot import: cannot open ${input}: ${(error as Error).message}`,
      );
    }
    const stream = file?.readable ?? Deno.stdin.readable;
    // An export holds its schema version (an export made before versions has none, so the
    // data counts as version 1): the next start or `migrate` upgrades what was imported.
    await db.forgetSchemaVersion();
    const count = await importLines(db, readLines(stream));
    console.log(`Imported ${plural(count, "entry", "entries")}`);
  },
};

async function importLines(
  db: Db,
  lines: AsyncIterable<string>,
): Promise<number> {
  let lineNumber = 0;
  let written = 0;
  let ended = false;
  let batch: Array<{ key: Deno.KvKey; value: unknown }> = [];
  let batchChars = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await db.importBatch(batch);
    written += batch.length;
    batch = [];
    batchChars = 0;
  };
  for await (const line of lines) {
    lineNumber++;
    if (lineNumber === 1) {
      if (!isHeader(line)) {
        throw new CommandError(
          "Cannot import: line 1 is not the header of a Natter export",
        );
      }
      continue;
    }
    if (line.trim() === "") continue;
    if (ended) {
      throw new CommandError(
        `Cannot import: line ${lineNumber} comes after the end line`,
      );
    }
    let decoded;
    try {
      decoded = decodeLine(line);
    } catch (error) {
      await flush();
      throw new CommandError(
        `Cannot import: line ${lineNumber}: ${(error as Error).message} (${
          plural(written, "entry", "entries")
        } written before it)`,
      );
    }
    if (decoded.kind === "end") {
      await flush();
      if (decoded.entries !== written) {
        throw new CommandError(
          `Cannot import: the end line promises ${decoded.entries} entries but ${written} were read`,
        );
      }
      ended = true;
      continue;
    }
    batch.push(decoded);
    batchChars += line.length;
    if (batch.length >= BATCH_ENTRIES || batchChars >= BATCH_CHARS) {
      await flush();
    }
  }
  if (lineNumber === 0) {
    throw new CommandError("Cannot import: the input is empty");
  }
  if (!ended) {
    await flush();
    throw new CommandError(
      `Cannot import: the input stops without its end line (cut off?); ${
        plural(written, "entry", "entries")
      } written`,
    );
  }
  return written;
}
