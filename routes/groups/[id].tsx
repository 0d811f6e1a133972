/**
 * A group's chat page: the direct chat's island with the group's API, names above the
 * others' bubbles, and the members panel. Its no-JS forms post here with an `intent`
 * (send, rename, add, remove, role, leave) and are answered 303 back (or to /users on
 * leaving). Non-members get 404, as from the API.
 */
import { presenceOfPeers, type PublicPresence } from "../../lib/presence.ts";
import type { ChatOpening } from "../../lib/chat.ts";
import { requireUser } from "../../lib/chat.ts";
import { listConversationEntries } from "../../lib/conversation_list.ts";
import { decodeCursor } from "../../lib/cursor.ts";
import { DomainError } from "../../lib/errors.ts";
import {
  loadGroupMessages,
  openGroup,
  sendGroupMessage,
} from "../../lib/group_chat.ts";
import {
  addMember,
  type PublicGroup,
  removeMember,
  renameGroup,
  requireGroup,
  setRole,
  toPublicGroup,
} from "../../lib/groups.ts";
import { type ConversationEntry, currentEventCursor } from "../../lib/inbox.ts";
import {
  groupNameSchema,
  groupRoleSchema,
  sendMessageSchema,
} from "../../lib/schemas.ts";
import type { PageProps, RouteContext } from "../../runtime/types.ts";
import { errorHeaders } from "../../server/errors.ts";
import { redirect } from "../../server/http.ts";
import { readChatForm } from "../../server/chat_form.ts";
import type { State } from "../../server/state.ts";
import { GroupMembers } from "../../components/chat/GroupMembers.tsx";
import ChatList from "../../islands/ChatList.tsx";
import ChatWindow from "../../islands/ChatWindow.tsx";

interface GroupData extends ChatOpening {
  group: PublicGroup;
  eventsCursor: string;
  conversations: ConversationEntry[];
  /** The chat list's dots: who of my contacts is online. */
  presence: Record<string, PublicPresence>;
  paged: boolean;
  error?: string;
  draft?: string;
}

const PAGE_SIZE = 50;

export const title = (props: PageProps<State, GroupData>) =>
  props.data.group.title;

async function renderGroup(
  ctx: RouteContext<State, GroupData>,
  extra: Pick<GroupData, "error" | "draft"> = {},
  init?: ResponseInit,
) {
  const me = requireUser(ctx.state);
  const record = await requireGroup(ctx.state, me, ctx.params.id);
  const before = ctx.url.searchParams.get("before");
  const eventsCursor = await currentEventCursor(ctx.state, me);
  const [opening, list, group, presence] = await Promise.all([
    before
      ? loadGroupMessages(ctx.state, me, record.id, {
        beforeSeq: decodeCursor(before, "before"),
        limit: PAGE_SIZE,
      }).then((page) => ({
        ...page,
        firstUnreadId: null,
        unread: 0,
        hasNewer: true,
      }))
      : openGroup(ctx.state, me, record.id, PAGE_SIZE),
    listConversationEntries(ctx.state, me, { limit: 100 }),
    toPublicGroup(ctx.state, record),
    presenceOfPeers(ctx.state, me),
  ]);
  return ctx.render({
    ...opening,
    group,
    eventsCursor,
    conversations: list.conversations,
    presence,
    paged: Boolean(before),
    ...extra,
  }, init);
}

/** Runs one no-JS form's intent; returns where to go next. */
async function runIntent(
  ctx: RouteContext<State, GroupData>,
  form: Record<string, string>,
  attachments: string[],
): Promise<string> {
  const me = requireUser(ctx.state);
  const gid = ctx.params.id;
  const path = `/groups/${gid}`;
  const name = (field: string) => {
    const value = form[field];
    if (!value) {
      throw new DomainError("invalid", "invalid", `${field} is required`);
    }
    return value;
  };
  const parse = <T,>(schema: { parse(v: unknown): T }, value: unknown) => {
    try {
      return schema.parse(value);
    } catch {
      throw new DomainError("invalid", "invalid", "That is not valid");
    }
  };
  switch (form.intent ?? "send") {
    case "send":
      await sendGroupMessage(
        ctx.state,
        me,
        gid,
        parse(sendMessageSchema, { text: form.text ?? "", attachments }),
      );
      return path;
    case "rename":
      await renameGroup(ctx.state, me, gid, parse(groupNameSchema, form.name));
      return path;
    case "add":
      await addMember(ctx.state, me, gid, name("username").trim());
      return path;
    case "remove":
      await removeMember(ctx.state, me, gid, name("username"));
      return path;
    case "role":
      await setRole(
        ctx.state,
        me,
        gid,
        name("username"),
        parse(groupRoleSchema, { role: form.role }).role,
      );
      return path;
    case "leave":
      await removeMember(ctx.state, me, gid, me.username);
      return "/users";
    default:
      throw new DomainError("invalid", "invalid", "Unknown action");
  }
}

export const handler = {
  GET(ctx: RouteContext<State, GroupData>) {
    return renderGroup(ctx);
  },

  async POST(ctx: RouteContext<State, GroupData>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
    // The composer's form may carry a file: stored as the group's upload, then sent.
    const { fields: form, attachments } = await readChatForm(
      ctx.state,
      me,
      ctx.params.id,
      ctx.req,
    );
    try {
      return redirect(await runIntent(ctx, form, attachments));
    } catch (error) {
      if (
        !(error instanceof DomainError) ||
        !["invalid", "forbidden", "conflict", "rate_limited", "not_found"]
          .includes(error.kind) ||
        error.code === "group_not_found"
      ) throw error;
      const status = {
        invalid: 422,
        forbidden: 403,
        conflict: 409,
        rate_limited: 429,
        not_found: 404,
      }[
        error.kind as "invalid"
      ];
      return renderGroup(ctx, {
        error: error.message,
        draft: form.intent ? undefined : form.text,
      }, { status, headers: errorHeaders(error) });
    }
  },
};

export default function GroupPage(
  { data, state }: PageProps<State, GroupData>,
) {
  const me = state.user!.username;
  return (
    <div class="panes has-chat">
      <aside class="pane-list" aria-label="Chats">
        <ChatList
          me={me}
          initial={data.conversations}
          eventsCursor={data.eventsCursor}
          active={data.group.id}
          presence={data.presence}
        />
      </aside>
      <div class="pane-chat">
        <GroupMembers group={data.group} me={me} />
        <ChatWindow
          me={me}
          peer={data.group.title}
          groupId={data.group.id}
          initialMessages={data.messages}
          cursor={data.cursor}
          older={data.older}
          eventsCursor={data.eventsCursor}
          firstUnreadId={data.firstUnreadId}
          unread={data.unread}
          hasNewer={data.hasNewer}
          paged={data.paged}
          error={data.error}
          draft={data.draft}
        />
      </div>
    </div>
  );
}
