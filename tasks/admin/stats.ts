/** `stats [--json]`: how big things are. */
import type { Command } from "./command.ts";
import { table } from "./format.ts";

export const stats: Command = {
  name: "stats",
  summary: "count users, conversations, groups, messages and sessions",
  description:
    "Counts users, conversations (pairs of users who exchanged messages), groups,\n" +
    "messages (groups' included) and live sessions. --json prints\n" +
    '{"users","conversations","groups","messages","sessions"}.',
  example: "deno task admin stats",
  args: { flags: { json: "print JSON instead of a table" } },
  async run(args, open) {
    const db = await open();
    const counts = await db.countAll();
    if (args.flags.has("json")) {
      console.log(JSON.stringify(counts));
      return;
    }
    console.log(table(
      Object.entries(counts).map(([name, count]) => [name, String(count)]),
      [1],
    ));
  },
};
