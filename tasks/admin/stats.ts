/** `stats [--json]`: how big things are. */
import type { Command } from "./command.ts";
import { table } from "./format.ts";

export const stats: Command = {
  name: "stats",
  summary:
    "count users, conversations, groups, messages, sessions and attachment bytes",
  description:
    "Counts users, conversations (pairs of users who exchanged messages), groups,\n" +
    "messages (groups' included), live sessions, and the bytes of attachments stored,\n" +
    'in total and per user. --json prints {"users","conversations","groups","messages",\n' +
    '"sessions","attachmentBytes","attachmentBytesByUser":{"<username>":bytes}}.',
  example: "deno task admin stats",
  args: { flags: { json: "print JSON instead of a table" } },
  async run(args, open) {
    const db = await open();
    const counts = await db.countAll();
    if (args.flags.has("json")) {
      console.log(JSON.stringify(counts));
      return;
    }
    const { attachmentBytesByUser, ...totals } = counts;
    console.log(table(
      Object.entries(totals).map(([name, count]) => [name, String(count)]),
      [1],
    ));
    const perUser = Object.entries(attachmentBytesByUser);
    if (perUser.length > 0) {
      console.log("\nattachment bytes per user");
      console.log(table(
        perUser.sort((a, b) => b[1] - a[1]).map((
          [name, bytes],
        ) => [name, String(bytes)]),
        [1],
      ));
    }
  },
};
