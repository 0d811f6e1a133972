/** `user:list [--json]`: every account with its activity. */
import type { Command } from "./command.ts";
import { shortTime, table } from "./format.ts";

export const userList: Command = {
  name: "user:list",
  summary: "list accounts: created, last active, messages sent",
  description:
    'Lists every account by name. "last active" is the newest sign-in or use of a\n' +
    'session (recorded at most once an hour); "messages sent" counts the user\'s\n' +
    "messages that still exist. --json prints an array of\n" +
    '{"id","username","createdAt","lastActiveAt","messagesSent","hasPassword"}.',
  example: "deno task admin user:list --json",
  args: { flags: { json: "print JSON instead of a table" } },
  async run(args, open) {
    const db = await open();
    const rows = await db.listUserActivity();
    if (args.flags.has("json")) {
      console.log(JSON.stringify(
        rows.map(({ user, lastActiveAt, messagesSent }) => ({
          id: user.id,
          username: user.username,
          createdAt: user.createdAt,
          lastActiveAt,
          messagesSent,
          hasPassword: Boolean(user.password),
        })),
        null,
        2,
      ));
      return;
    }
    if (rows.length === 0) {
      console.log("No users");
      return;
    }
    console.log(table([
      ["username", "created", "last active", "messages sent"],
      ...rows.map(({ user, lastActiveAt, messagesSent }) => [
        user.username,
        shortTime(user.createdAt),
        shortTime(lastActiveAt),
        String(messagesSent),
      ]),
    ], [3]));
  },
};
