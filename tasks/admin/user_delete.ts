/** `user:delete <username> [--yes]`: remove an account and every message they were part of. */
import { type Command, CommandError, requireUser } from "./command.ts";
import { plural } from "./format.ts";
import { confirm, requireTerminal } from "./terminal.ts";

export const userDelete: Command = {
  name: "user:delete",
  summary: "delete an account and all its conversations",
  description:
    "Deletes the user, their sessions, their linked sign-in providers, and every\n" +
    "conversation they had: messages sent and received, on both sides. They leave every\n" +
    "group (one left empty is deleted; their messages in the others stay). Their peers no\n" +
    'longer see them in the user list, and a peer\'s "messages sent" drops by the\n' +
    "messages deleted with the conversation. Asks you to type the username unless --yes\n" +
    "is given; without a terminal, --yes is required. Safe while the server runs.",
  example: "deno task admin user:delete alice --yes",
  args: {
    positionals: ["username"],
    flags: { yes: "do not ask for confirmation" },
  },
  async run(args, open) {
    const what = `Cannot delete user "${args.positionals.username}"`;
    if (!args.flags.has("yes")) requireTerminal(this.name);
    const db = await open();
    const user = await requireUser(db, args.positionals.username, what);
    if (!args.flags.has("yes")) {
      const conversations = await db.listConversations(user.id);
      const messages = conversations.reduce((sum, c) => sum + c.lastSeq, 0);
      const ok = await confirm(
        this.name,
        `Delete user "${user.username}", ${
          plural(conversations.length, "conversation")
        } and ${plural(messages, "message")}? This cannot be undone.`,
        user.username,
      );
      if (!ok) throw new CommandError(`${what}: not confirmed`);
    }
    const removed = await db.deleteUserCascade(user.id);
    console.log(
      `Deleted user "${user.username}", ${
        plural(removed.conversations, "conversation")
      }, ${plural(removed.messages, "message")} and ${
        plural(removed.sessions, "session")
      }${
        removed.groups > 0
          ? `; left ${
            plural(removed.groups, "group")
          } (an empty one is deleted)`
          : ""
      }`,
    );
  },
};
