/**
 * `deno task admin <command>`: operator commands against the server's Deno KV. Parses the
 * command line strictly before opening the database, so a usage error changes nothing.
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.
 */
import { loadConfig } from "../fresh.config.ts";
import type { Db } from "../lib/db/db.ts";
import { DomainError } from "../lib/errors.ts";
import { openDb } from "../lib/db/open.ts";
import { parseArgs, wantsHelp } from "./admin/args.ts";
import { type Command, CommandError, UsageError } from "./admin/command.ts";
import { exportData } from "./admin/export.ts";
import { groupList } from "./admin/group_list.ts";
import { groupRemove } from "./admin/group_remove.ts";
import { groupShow } from "./admin/group_show.ts";
import { commandHelp, overviewHelp } from "./admin/help.ts";
import { importData } from "./admin/import.ts";
import { migrate } from "./admin/migrate.ts";
import { seed } from "./admin/seed.ts";
import { sessionsRevoke } from "./admin/sessions_revoke.ts";
import { stats } from "./admin/stats.ts";
import { userCreate } from "./admin/user_create.ts";
import { userDelete } from "./admin/user_delete.ts";
import { userList } from "./admin/user_list.ts";
import { userPasswd } from "./admin/user_passwd.ts";
import { userProviders } from "./admin/user_providers.ts";
import { userUnlink } from "./admin/user_unlink.ts";

export const COMMANDS: Command[] = [
  userCreate,
  userList,
  userPasswd,
  userProviders,
  userUnlink,
  userDelete,
  sessionsRevoke,
  groupList,
  groupShow,
  groupRemove,
  stats,
  exportData,
  importData,
  migrate,
  seed,
];

/** Runs one command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(overviewHelp(COMMANDS));
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    console.log(overviewHelp(COMMANDS));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(
      `Unknown command "${name}" (see: deno task admin --help)`,
    );
    return 2;
  }
  if (wantsHelp(rest)) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    const args = parseArgs(command.name, command.args, rest);
    let db: Db | undefined;
    try {
      await command.run(args, async () => db ??= await openDb(loadConfig()));
    } finally {
      db?.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(
        `${error.message} (see: deno task admin ${command.name} --help)`,
      );
      return 2;
    }
    if (error instanceof CommandError || error instanceof DomainError) {
      console.error(error.message);
      return 1;
    }
    console.error(`Error: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
