/** `group:show <id> [--json]`: one group and its members in join order. */
import { type Command, CommandError } from "./command.ts";
import { groupRow, memberNames } from "./group_rows.ts";
import { shortTime, table } from "./format.ts";

export const groupShow: Command = {
  name: "group:show",
  summary: "show one group and its members",
  description:
    "Shows a group (its id from group:list): name, size, messages, and every member in\n" +
    'join order with role and join time. --json prints {"id","title","members","admins",\n' +
    '"messages","createdAt","roster":[{"username","role","joinedAt"}]}.',
  example: "deno task admin group:show 7c0e…",
  args: {
    positionals: ["id"],
    flags: { json: "print JSON instead of text" },
  },
  async run(args, open) {
    const db = await open();
    const group = await db.getGroup(args.positionals.id);
    if (!group) {
      throw new CommandError(
        `Cannot show group "${args.positionals.id}": no such group`,
      );
    }
    const row = await groupRow(db, group);
    const names = await memberNames(db, group);
    const roster = group.roster.map((m) => ({
      username: names.get(m.userId) ?? m.userId,
      role: m.role,
      joinedAt: m.joinedAt,
    }));
    if (args.flags.has("json")) {
      console.log(JSON.stringify({ ...row, roster }, null, 2));
      return;
    }
    console.log(
      `${row.title} (${row.id})\n${row.members} members, ${row.messages} messages, created ${
        shortTime(row.createdAt)
      }\n`,
    );
    console.log(table([
      ["member", "role", "joined"],
      ...roster.map((m) => [m.username, m.role, shortTime(m.joinedAt)]),
    ]));
  },
};
