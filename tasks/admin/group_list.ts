/** `group:list [--json]`: every group with its size and admins. */
import type { Command } from "./command.ts";
import { groupRows } from "./group_rows.ts";
import { shortTime, table } from "./format.ts";

export const groupList: Command = {
  name: "group:list",
  summary: "list groups: name, members, messages, created",
  description: "Lists every group, oldest first. --json prints an array of\n" +
    '{"id","title","members","admins","messages","createdAt"} (admins by username).',
  example: "deno task admin group:list",
  args: { flags: { json: "print JSON instead of a table" } },
  async run(args, open) {
    const db = await open();
    const rows = await groupRows(db);
    if (args.flags.has("json")) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    if (rows.length === 0) {
      console.log("No groups");
      return;
    }
    console.log(table([
      ["id", "name", "members", "messages", "created"],
      ...rows.map((g) => [
        g.id,
        g.title,
        String(g.members),
        String(g.messages),
        shortTime(g.createdAt),
      ]),
    ], [2, 3]));
  },
};
