/** `user:passwd <username>`: a new password, and every session of the user ended. */
import { type Command, requireUser } from "./command.ts";
import { plural } from "./format.ts";
import { readAndHashPassword } from "./passwords.ts";
import { remainingProviders } from "./providers_note.ts";

export const userPasswd: Command = {
  name: "user:passwd",
  summary: "set a user's password and log them out everywhere",
  description:
    "Sets a new password (same rules and input as user:create) and ends all of the\n" +
    "user's sessions, so whoever knew the old password is signed out. Also gives a\n" +
    "password to an account that only signed in with an external provider. Says which\n" +
    "sign-in providers stay linked: a password change does not remove them (user:unlink does).",
  example: 'printf "%s\\n" "$NEW_PASSWORD" | deno task admin user:passwd alice',
  args: { positionals: ["username"] },
  async run(args, open) {
    const db = await open();
    const what = `Cannot change the password of "${args.positionals.username}"`;
    const user = await requireUser(db, args.positionals.username, what);
    await db.setPassword(user.id, await readAndHashPassword(what));
    const ended = await db.deleteUserSessions(user.id);
    console.log(
      `Changed the password of "${user.username}" and ended ${
        plural(ended, "session")
      }; ${await remainingProviders(db, user.id)}`,
    );
  },
};
