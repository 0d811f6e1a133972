/** `sessions:revoke <username>`: log a user out everywhere. */
import { type Command, requireUser } from "./command.ts";
import { plural } from "./format.ts";

export const sessionsRevoke: Command = {
  name: "sessions:revoke",
  summary: "log a user out everywhere",
  description:
    "Ends every session of the user: each browser they are signed in on is sent to the\n" +
    "login page on its next request. Their account and messages stay.",
  example: "deno task admin sessions:revoke alice",
  args: { positionals: ["username"] },
  async run(args, open) {
    const db = await open();
    const user = await requireUser(
      db,
      args.positionals.username,
      `Cannot revoke the sessions of "${args.positionals.username}"`,
    );
    const ended = await db.deleteUserSessions(user.id);
    console.log(`Ended ${plural(ended, "session")} of "${user.username}"`);
  },
};
