/** `group:remove <id> <username>`: take someone out of a group. */
import { type Command, CommandError, requireUser } from "./command.ts";

export const groupRemove: Command = {
  name: "group:remove",
  summary: "remove a member from a group",
  description:
    'Removes the user from the group; its history shows "<username> was removed" and\n' +
    "they lose access at once. The last admin's place goes to the longest-standing\n" +
    "member; removing the last member deletes the group with its messages.",
  example: "deno task admin group:remove 7c0e… alice",
  args: { positionals: ["id", "username"] },
  async run(args, open) {
    const { id, username } = args.positionals;
    const what = `Cannot remove "${username}" from group "${id}"`;
    const db = await open();
    const user = await requireUser(db, username, what);
    const group = await db.getGroup(id);
    if (!group) throw new CommandError(`${what}: no such group`);
    if (!group.members.includes(user.id)) {
      throw new CommandError(`${what}: not a member`);
    }
    const after = await db.removeGroupMember(id, user.id, user.id, {
      byOperator: true,
    });
    console.log(
      after
        ? `Removed "${user.username}" from "${group.title}"`
        : `Removed "${user.username}"; "${group.title}" was empty and is deleted`,
    );
  },
};
