/** `user:providers <username> [--json]`: the sign-in providers linked to an account. */
import { type Command, requireUser } from "./command.ts";
import { shortTime, table } from "./format.ts";

export const userProviders: Command = {
  name: "user:providers",
  summary: "list the sign-in providers linked to an account",
  description:
    "Lists each external sign-in provider (github, oidc) linked to the user, with the\n" +
    "provider's login and when it was linked, and says whether the account has a\n" +
    'password. --json prints {"username","hasPassword","providers":[{"provider",\n' +
    '"subject","login","linkedAt"}]}.',
  example: "deno task admin user:providers alice",
  args: {
    positionals: ["username"],
    flags: { json: "print JSON instead of a table" },
  },
  async run(args, open) {
    const db = await open();
    const user = await requireUser(
      db,
      args.positionals.username,
      `Cannot list the providers of "${args.positionals.username}"`,
    );
    const identities = await db.listUserIdentities(user.id);
    if (args.flags.has("json")) {
      console.log(JSON.stringify(
        {
          username: user.username,
          hasPassword: Boolean(user.password),
          providers: identities.map((i) => ({
            provider: i.provider,
            subject: i.subject,
            login: i.login ?? null,
            linkedAt: i.linkedAt,
          })),
        },
        null,
        2,
      ));
      return;
    }
    const password = user.password ? "has a password" : "has no password";
    if (identities.length === 0) {
      console.log(`"${user.username}" ${password} and no linked providers`);
      return;
    }
    console.log(`"${user.username}" ${password}; linked providers:`);
    console.log(table([
      ["provider", "login", "subject", "linked"],
      ...identities.map((i) => [
        i.provider,
        i.login ?? "-",
        i.subject,
        shortTime(i.linkedAt),
      ]),
    ]));
  },
};
