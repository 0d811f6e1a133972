/** `user:create <username>`: an account with a password, by registration's rules. */
import { DomainError } from "../../lib/errors.ts";
import { usernameSchema } from "../../lib/schemas.ts";
import { type Command, CommandError } from "./command.ts";
import { readAndHashPassword } from "./passwords.ts";

export const userCreate: Command = {
  name: "user:create",
  summary: "create an account",
  description:
    "Creates an account with the same rules as registration (3-32 letters, digits, _ . -;\n" +
    "unique regardless of case; a password of 8 to 1024 characters). The password is the\n" +
    "first line of stdin when stdin is not a terminal, else it is asked for twice.",
  example: 'printf "%s\\n" "$PASSWORD" | deno task admin user:create alice',
  args: { positionals: ["username"] },
  async run(args, open) {
    const what = `Cannot create user "${args.positionals.username}"`;
    const name = usernameSchema.safeParse(args.positionals.username);
    if (!name.success) {
      throw new CommandError(`${what}: ${name.error.issues[0].message}`);
    }
    const db = await open();
    // Ask for no password when the name is already gone; the commit below re-checks.
    if (await db.getUserByName(name.data)) {
      throw new CommandError(`${what}: the name is already taken`);
    }
    const password = await readAndHashPassword(what);
    try {
      await db.createUser({ username: name.data, password });
    } catch (error) {
      if (error instanceof DomainError && error.code === "username_taken") {
        throw new CommandError(`${what}: the name is already taken`);
      }
      throw error;
    }
    console.log(`Created user "${name.data}"`);
  },
};
