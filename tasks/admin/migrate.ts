/** `migrate [--status] [--dry-run]`: upgrade the stored layout by hand (start does it too). */
import { type Command, UsageError } from "./command.ts";

export const migrate: Command = {
  name: "migrate",
  summary: "upgrade stored data to this version's layout",
  description:
    "Runs the pending schema migrations, in order, logging progress. `deno task start`\n" +
    "does the same before it listens; under a lease in KV only one process migrates and\n" +
    "the others wait. Migrations keep every byte of data, are idempotent and resume after\n" +
    "an interruption: run it again. --status prints the current and latest version,\n" +
    "--dry-run what would be done; neither writes anything.",
  example: "deno task admin migrate --status",
  args: {
    flags: {
      status: "print the current and latest schema version",
      "dry-run": "print the plan without changing anything",
    },
  },
  async run(args, open) {
    if (args.flags.has("status") && args.flags.has("dry-run")) {
      throw new UsageError("Give --status or --dry-run, not both", this.name);
    }
    const db = await open();
    if (args.flags.has("status")) {
      const status = await db.migrationStatus();
      console.log(`current ${status.current}`);
      console.log(`latest ${status.latest}`);
      console.log(
        status.current === 0
          ? "empty database (stamped with the latest version on first start)"
          : `${status.pending.length} pending`,
      );
      return;
    }
    if (args.flags.has("dry-run")) {
      const plan = await db.migrationPlan();
      console.log(plan.length === 0 ? "Nothing to do" : plan.join("\n"));
      return;
    }
    const result = await db.migrate({ log: (line) => console.log(line) });
    if (!result.migrated) {
      console.log(`Schema version ${result.to}: nothing to do`);
    }
  },
};
