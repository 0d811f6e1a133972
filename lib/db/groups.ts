/**
 * Group conversations (issue 13): a conversation record of kind "group" with a title and a
 * roster in join order, its messages under the same keys as a direct chat's, and a pointer
 * `["groups", id]` so operators can list groups without scanning conversations.
 *
 * Every change is ONE atomic commit checked against the record and the head, so a send
 * and a membership change never interleave: a removed member's last visible message is
 * the one before "alice removed carol", and nothing after it reaches them. A send to n
 * members writes n rows + (n − 1) unread counters + n inbox keys + 5 more (head, message,
 * sent count, client id, writer stamp): 772 mutations and ~161 KiB at 256 members with a
 * 4,000-character message (tests/groups_db_test.ts), and 4 checks (head, record, sender,
 * client id), within KV's 1000 mutations, 800 KiB and 10 checks.
 */
import { DomainError } from "../errors.ts";
import {
  addMessageToMembers,
  type ConversationRecord,
  MAX_CONVERSATION_MEMBERS,
} from "./conversations.ts";
import { changeGroup, systemMessage } from "./group_change.ts";
import { keys } from "./keys.ts";
import { commit } from "./kv.ts";
import type { User } from "./users.ts";

export type GroupRole = "admin" | "member";

/** One member of a group, in join order. */
export interface GroupMember {
  userId: string;
  role: GroupRole;
  joinedAt: string;
  /** The seq of the message that added them: their history starts there. */
  joinedSeq: number;
}

/** A stored group: a conversation record with a title and a roster. */
export interface GroupRecord extends ConversationRecord {
  kind: "group";
  title: string;
  createdBy: string;
  /** Members in join order (the first is the longest-standing). */
  roster: GroupMember[];
}

export const BUSY = "The group is too busy, try again";

/** The group with this id, or null (also for a direct conversation's id). */
export async function getGroup(
  kv: Deno.Kv,
  gid: string,
): Promise<GroupRecord | null> {
  const record = (await kv.get<ConversationRecord>(keys.conversation(gid)))
    .value;
  return record?.kind === "group" ? record as GroupRecord : null;
}

export { sendGroupMessage } from "./group_send.ts";
export { purgeConversation } from "./group_change.ts";

/** Every group, in id order. */
export async function listGroups(kv: Deno.Kv): Promise<GroupRecord[]> {
  const ids: string[] = [];
  for await (const entry of kv.list({ prefix: keys.groups() })) {
    ids.push(String(entry.key[1]));
  }
  const groups: GroupRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const entries = await kv.getMany<ConversationRecord[]>(
      ids.slice(i, i + 10).map((id) => keys.conversation(id)),
    );
    for (const e of entries) {
      if (e.value?.kind === "group") groups.push(e.value as GroupRecord);
    }
  }
  return groups;
}

/** Creates a group whose first message says who made it; the creator is its admin. */
export async function createGroup(
  kv: Deno.Kv,
  input: {
    creator: Pick<User, "id" | "username">;
    title: string;
    memberIds: string[];
    now?: Date;
  },
): Promise<GroupRecord> {
  const gid = crypto.randomUUID();
  const at = (input.now ?? new Date()).toISOString();
  const ids = [input.creator.id, ...input.memberIds];
  const group: GroupRecord = {
    id: gid,
    kind: "group",
    title: input.title,
    createdBy: input.creator.id,
    createdAt: at,
    members: [...ids].sort(),
    roster: ids.map((userId, i) => ({
      userId,
      role: i === 0 ? "admin" : "member",
      joinedAt: at,
      joinedSeq: 1,
    })),
  };
  const message = systemMessage(
    gid,
    1,
    input.creator.id,
    `${input.creator.username} created the group “${input.title}”`,
    at,
  );
  const op = kv.atomic()
    .check({ key: keys.conversation(gid), versionstamp: null })
    .set(keys.conversation(gid), group)
    .set(keys.group(gid), at)
    .set(keys.conversationHead(gid), { seq: 1, lastMessageAt: at })
    .set(keys.message(gid, 1), message);
  addMessageToMembers(op, group, message);
  if (!(await commit(op)).ok) throw new DomainError("busy", "busy", BUSY);
  return group;
}

/** Renames the group (admins only). */
export function renameGroup(
  kv: Deno.Kv,
  gid: string,
  actorId: string,
  title: string,
): Promise<GroupRecord | null> {
  return changeGroup(kv, gid, actorId, async (group, names) => {
    requireAdmin(group, actorId);
    if (group.title === title) return null;
    const { actor } = await names({ actor: actorId });
    return {
      group: { ...group, title },
      text: `${actor} renamed the group to “${title}”`,
    };
  });
}

/** Adds a user (admins only); 409 when already in, 422 when the group is full. */
export function addGroupMember(
  kv: Deno.Kv,
  gid: string,
  actorId: string,
  userId: string,
  now?: Date,
): Promise<GroupRecord | null> {
  return changeGroup(kv, gid, actorId, async (group, names, seq) => {
    requireAdmin(group, actorId);
    if (group.members.includes(userId)) {
      throw new DomainError(
        "conflict",
        "already_member",
        "That user is already in the group",
      );
    }
    if (group.members.length >= MAX_CONVERSATION_MEMBERS) {
      throw new DomainError(
        "invalid",
        "group_full",
        `A group has at most ${MAX_CONVERSATION_MEMBERS} members`,
      );
    }
    const { actor, target } = await names({ actor: actorId, target: userId });
    if (target === null) throw memberNotFound();
    const member: GroupMember = {
      userId,
      role: "member",
      joinedAt: (now ?? new Date()).toISOString(),
      joinedSeq: seq,
    };
    return {
      group: withRoster(group, [...group.roster, member]),
      text: `${actor} added ${target}`,
    };
  }, now);
}

/**
 * Removes a member: an admin removes anyone, anyone removes themself. The last admin
 * leaving makes the longest-standing member admin; the last member leaving deletes the
 * group with its messages (returns null then).
 */
export function removeGroupMember(
  kv: Deno.Kv,
  gid: string,
  actorId: string,
  userId: string,
  options: { byOperator?: boolean } = {},
): Promise<GroupRecord | null> {
  // An operator acts through the member removed: the check is theirs, the text says so.
  const actingId = options.byOperator ? userId : actorId;
  return changeGroup(kv, gid, actingId, async (group, names) => {
    if (actingId !== userId) requireAdmin(group, actingId);
    if (!group.members.includes(userId)) throw memberNotFound();
    let roster = group.roster.filter((m) => m.userId !== userId);
    if (roster.length === 0) {
      return { group: null, text: "", removed: [userId] };
    }
    let promoted: string | undefined;
    if (!roster.some((m) => m.role === "admin")) {
      promoted = roster[0].userId;
      roster = roster.map((m, i) => i === 0 ? { ...m, role: "admin" } : m);
    }
    const { actor, target, heir } = await names({
      actor: actorId,
      target: userId,
      heir: promoted,
    });
    const what = options.byOperator
      ? `${target} was removed`
      : actorId === userId
      ? `${actor} left`
      : `${actor} removed ${target}`;
    return {
      group: withRoster(group, roster),
      text: heir ? `${what}; ${heir} is now an admin` : what,
      removed: [userId],
    };
  });
}

/** Makes a member an admin or a plain member (admins only; the last admin cannot step down). */
export function setGroupRole(
  kv: Deno.Kv,
  gid: string,
  actorId: string,
  userId: string,
  role: GroupRole,
): Promise<GroupRecord | null> {
  return changeGroup(kv, gid, actorId, async (group, names) => {
    requireAdmin(group, actorId);
    const member = group.roster.find((m) => m.userId === userId);
    if (!member) throw memberNotFound();
    if (member.role === role) return null;
    const admins = group.roster.filter((m) => m.role === "admin").length;
    if (role === "member" && admins === 1) {
      throw new DomainError(
        "invalid",
        "last_admin",
        "A group needs an admin: make someone else an admin first",
        { field: "role" },
      );
    }
    const { actor, target } = await names({ actor: actorId, target: userId });
    return {
      group: withRoster(
        group,
        group.roster.map((m) => m.userId === userId ? { ...m, role } : m),
      ),
      text: role === "admin"
        ? `${actor} made ${target} an admin`
        : `${actor} made ${target} a member`,
    };
  });
}

function withRoster(group: GroupRecord, roster: GroupMember[]): GroupRecord {
  return {
    ...group,
    roster,
    members: roster.map((m) => m.userId).sort(),
  };
}

function requireAdmin(group: GroupRecord, userId: string): void {
  const member = group.roster.find((m) => m.userId === userId);
  if (member?.role !== "admin") {
    throw new DomainError(
      "forbidden",
      "not_admin",
      "Only the group's admins can do that",
    );
  }
}

/** The one answer for "no such group" and "not your group", so outsiders learn nothing. */
export function groupNotFound(): DomainError {
  return new DomainError("not_found", "group_not_found", "No such group");
}

function memberNotFound(): DomainError {
  return new DomainError(
    "not_found",
    "member_not_found",
    "No such member in this group",
  );
}
