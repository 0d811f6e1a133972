/** `user:unlink <username> <provider>`: remove one sign-in provider from an account. */
import { DomainError } from "../../lib/errors.ts";
import { type Command, CommandError, requireUser } from "./command.ts";
import { remainingProviders } from "./providers_note.ts";

export const userUnlink: Command = {
  name: "user:unlink",
  summary: "unlink a sign-in provider from an account",
  description:
    "Removes the link between the user and an external sign-in provider (github, oidc;\n" +
    "see user:providers), so that provider account can no longer sign in as them. It\n" +
    "refuses to remove the last way to sign in: give the user a password first with\n" +
    "user:passwd. Sessions already open stay open: end them with sessions:revoke.",
  example: "deno task admin user:unlink alice github",
  args: { positionals: ["username", "provider"] },
  async run(args, open) {
    const { username, provider } = args.positionals;
    const what = `Cannot unlink ${provider} from "${username}"`;
    const db = await open();
    const user = await requireUser(db, username, what);
    try {
      await db.unlinkIdentity(user.id, provider);
    } catch (error) {
      if (error instanceof DomainError && error.code === "not_linked") {
        throw new CommandError(`${what}: ${provider} is not linked`);
      }
      if (
        error instanceof DomainError && error.code === "last_sign_in_method"
      ) {
        throw new CommandError(
          `${what}: it is their only way to sign in (set a password first with user:passwd)`,
        );
      }
      throw error;
    }
    console.log(
      `Unlinked ${provider} from "${user.username}"; ${await remainingProviders(
        db,
        user.id,
      )}`,
    );
  },
};
