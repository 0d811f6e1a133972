/**
 * What every admin command is: a name, its arguments and help, and a `run` that gets the
 * parsed arguments and an open database. Failures are thrown as `CommandError` (exit 1) or
 * `UsageError` (exit 2); `tasks/admin.ts` turns them into one line on stderr.
 */
import type { Db, User } from "../../lib/db/db.ts";

/** The arguments a command accepts; every listed positional is required. */
export interface ArgSpec {
  positionals?: string[];
  /** Boolean switches: name → description. */
  flags?: Record<string, string>;
  /** Options with a value: name → placeholder and description. */
  options?: Record<string, { value: string; description: string }>;
}

/** The command line after parsing against an `ArgSpec`. */
export interface ParsedArgs {
  positionals: Record<string, string>;
  flags: Set<string>;
  options: Record<string, string>;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs shown by `<command> --help`, after the usage line. */
  description: string;
  example: string;
  args: ArgSpec;
  /** Runs the command; `open` opens the database, after any checks of the arguments. */
  run(args: ParsedArgs, open: () => Promise<Db>): Promise<void>;
}

/** The operation failed (exit status 1); the message is the one line shown. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

/** The command line is wrong (exit status 2); nothing was changed. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The user with this name (any case), or a `CommandError` saying `<what>: no such user`. */
export async function requireUser(
  db: Db,
  username: string,
  what: string,
): Promise<User> {
  const user = await db.getUserByName(username);
  if (!user) throw new CommandError(`${what}: no such user`);
  return user;
}
