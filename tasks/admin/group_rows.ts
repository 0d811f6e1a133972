/** What `group:list` and `group:show` print about a group. */
import type { Db, GroupRecord } from "../../lib/db/db.ts";

/** One group as the operator sees it. */
export interface GroupRow {
  id: string;
  title: string;
  members: number;
  admins: string[];
  messages: number;
  createdAt: string;
}

/** Every group, oldest first. */
export async function groupRows(db: Db): Promise<GroupRow[]> {
  const groups = (await db.listGroups()).sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
  );
  const rows: GroupRow[] = [];
  for (const group of groups) rows.push(await groupRow(db, group));
  return rows;
}

/** One group's row: its admins by name and its message count (the head's seq). */
export async function groupRow(db: Db, group: GroupRecord): Promise<GroupRow> {
  const names = await memberNames(db, group);
  return {
    id: group.id,
    title: group.title,
    members: group.members.length,
    admins: group.roster.filter((m) => m.role === "admin").map((m) =>
      names.get(m.userId) ?? m.userId
    ),
    messages: (await db.getConversationHead(group.id))?.seq ?? 0,
    createdAt: group.createdAt,
  };
}

/** Usernames of a group's members by id. */
export async function memberNames(
  db: Db,
  group: GroupRecord,
): Promise<Map<string, string>> {
  const users = await db.getUsers(group.roster.map((m) => m.userId));
  return new Map(users.map((u) => [u.id, u.username]));
}
