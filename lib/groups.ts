/**
 * Group use cases (issue 13) shared by the JSON API and the pages: who may see and change
 * a group, and its public shape. Anyone who is not a member gets the same 404 whether or
 * not the group exists. Messages are in lib/group_chat.ts.
 */
import type { GroupRecord, GroupRole, User } from "./db/db.ts";
import { MAX_CONVERSATION_MEMBERS } from "./db/conversations.ts";
import { DomainError } from "./errors.ts";
import { refreshGroupStatus } from "./group_receipts.ts";
import { usernames } from "./inbox.ts";
import { USERNAME_PATTERN } from "./schemas.ts";
import type { SessionUser, State } from "../server/state.ts";

/** A group as the API shows it. */
export interface PublicGroup {
  id: string;
  kind: "group";
  title: string;
  /** In join order. */
  members: Array<{ username: string; role: GroupRole }>;
  createdAt: string;
}

const GROUP_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function groupNotFound(): DomainError {
  return new DomainError("not_found", "group_not_found", "No such group");
}

/** The group, if `me` is a member; else 404, exactly as for a group that does not exist. */
export async function requireGroup(
  state: State,
  me: SessionUser,
  gid: string,
): Promise<GroupRecord> {
  if (!GROUP_ID.test(gid)) throw groupNotFound();
  const group = await state.db.getGroup(gid);
  if (!group || !group.members.includes(me.id)) throw groupNotFound();
  return group;
}

/** The group's public shape: members by name, in join order. */
export async function toPublicGroup(
  state: State,
  group: GroupRecord,
): Promise<PublicGroup> {
  const names = await usernames(state, group.roster.map((m) => m.userId));
  return {
    id: group.id,
    kind: "group",
    title: group.title,
    members: group.roster.map((m) => ({
      username: names.get(m.userId) ?? "unknown",
      role: m.role,
    })),
    createdAt: group.createdAt,
  };
}

/**
 * Creates a group with `me` as its admin. Unknown names, names given twice (any case, or
 * my own) and more than 256 members in all are a 422 naming them in `details`.
 */
export async function createGroup(
  state: State,
  me: SessionUser,
  input: { name: string; members: string[] },
): Promise<GroupRecord> {
  if (input.members.length + 1 > MAX_CONVERSATION_MEMBERS) {
    throw new DomainError(
      "invalid",
      "too_many_members",
      `A group has at most ${MAX_CONVERSATION_MEMBERS} members, you included`,
      { field: "members", max: MAX_CONVERSATION_MEMBERS },
    );
  }
  const seen = new Set([me.username.toLowerCase()]);
  const duplicate: string[] = [];
  const unknown: string[] = [];
  const found: User[] = [];
  const users = await Promise.all(
    input.members.map((name) =>
      USERNAME_PATTERN.test(name)
        ? state.db.getUserByName(name)
        : Promise.resolve(null)
    ),
  );
  input.members.forEach((name, i) => {
    const key = name.toLowerCase();
    if (seen.has(key)) duplicate.push(name);
    else if (!users[i]) unknown.push(name);
    else found.push(users[i]!);
    seen.add(key);
  });
  if (unknown.length > 0 || duplicate.length > 0) {
    throw new DomainError(
      "invalid",
      unknown.length > 0 ? "unknown_users" : "duplicate_users",
      [
        unknown.length > 0 ? `No user named ${quoted(unknown)}` : "",
        duplicate.length > 0
          ? `Listed more than once: ${quoted(duplicate)}`
          : "",
      ].filter(Boolean).join("; "),
      { field: "members", unknown, duplicate },
    );
  }
  const group = await state.db.createGroup({
    creator: me,
    title: input.name,
    memberIds: found.map((u) => u.id),
  });
  state.bus.publish(group.members);
  return group;
}

function quoted(names: string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

/** The user a member route names; 404 `member_not_found` when nobody has that name. */
async function findUser(state: State, username: string): Promise<User> {
  const user = USERNAME_PATTERN.test(username)
    ? await state.db.getUserByName(username)
    : null;
  if (!user) {
    throw new DomainError(
      "not_found",
      "member_not_found",
      `No member named "${username}" in this group`,
    );
  }
  return user;
}

/** Renames the group (admins only, 403 otherwise). */
export async function renameGroup(
  state: State,
  me: SessionUser,
  gid: string,
  name: string,
): Promise<GroupRecord> {
  await requireGroup(state, me, gid);
  return published(state, await state.db.renameGroup(gid, me.id, name));
}

/** Adds someone by name (admins only). */
export async function addMember(
  state: State,
  me: SessionUser,
  gid: string,
  username: string,
): Promise<GroupRecord> {
  await requireGroup(state, me, gid);
  const user = USERNAME_PATTERN.test(username)
    ? await state.db.getUserByName(username)
    : null;
  if (!user) {
    throw new DomainError(
      "invalid",
      "unknown_users",
      `No user named "${username}"`,
      { field: "username", unknown: [username] },
    );
  }
  return published(state, await state.db.addGroupMember(gid, me.id, user.id));
}

/** Removes a member (an admin anyone, anyone themself); the group may go with its last member. */
export async function removeMember(
  state: State,
  me: SessionUser,
  gid: string,
  username: string,
): Promise<void> {
  const before = await requireGroup(state, me, gid);
  const user = await findUser(state, username);
  const after = await state.db.removeGroupMember(gid, me.id, user.id);
  // Everyone who was in it wakes: the removed to drop it, the rest to see who left.
  state.bus.publish(after ? [...after.members, user.id] : before.members);
  if (after) await refreshGroupStatus(state, gid);
}

/** Makes a member an admin or a plain member (admins only). */
export async function setRole(
  state: State,
  me: SessionUser,
  gid: string,
  username: string,
  role: GroupRole,
): Promise<GroupRecord> {
  await requireGroup(state, me, gid);
  const user = await findUser(state, username);
  return published(
    state,
    await state.db.setGroupRole(gid, me.id, user.id, role),
  );
}

function published(state: State, group: GroupRecord | null): GroupRecord {
  // Only the removal of the last member deletes a group, and that is not done here.
  if (!group) throw groupNotFound();
  state.bus.publish(group.members);
  return group;
}
