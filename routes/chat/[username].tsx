import {
  type ChatOpening,
  findPeer,
  loadMessages,
  openConversation,
  requireUser,
  sendMessage,
} from "../../lib/chat.ts";
import { listConversationEntries } from "../../lib/conversation_list.ts";
import { decodeCursor } from "../../lib/cursor.ts";
import { type ConversationEntry, currentEventCursor } from "../../lib/inbox.ts";
import { DomainError } from "../../lib/errors.ts";
import { errorHeaders } from "../../server/errors.ts";
import type { PageProps, RouteContext } from "../../runtime/types.ts";
import { redirect } from "../../server/http.ts";
import type { PublicMessage } from "../../lib/messages.ts";
import { sendMessageSchema } from "../../lib/schemas.ts";
import { conversationId } from "../../lib/db/db.ts";
import { readChatForm } from "../../server/chat_form.ts";
import type { State } from "../../server/state.ts";
import ChatWindow from "../../islands/ChatWindow.tsx";
import ChatList from "../../islands/ChatList.tsx";
import { presenceOfPeers, type PublicPresence } from "../../lib/presence.ts";

interface ChatData extends ChatOpening {
  peer: string;
  messages: PublicMessage[];
  /** The inbox cursor read before the messages, so the island misses nothing after them. */
  eventsCursor: string;
  conversations: ConversationEntry[];
  /** Peers' online / last seen as I may see them, by lowercase username. */
  presence: Record<string, PublicPresence>;
  /** Set on an older page (`?before=`, the no-JS way back through the history). */
  paged: boolean;
  error?: string;
  draft?: string;
}

/** How many messages the page renders; older ones come a page at a time. */
const PAGE_SIZE = 50;

export const title = (props: PageProps<State, ChatData>) =>
  `Chat with ${props.data.peer}`;

async function renderChat(
  ctx: RouteContext<State, ChatData>,
  extra: Pick<ChatData, "error" | "draft"> = {},
  init?: ResponseInit,
) {
  const me = requireUser(ctx.state);
  const peer = await findPeer(ctx.state, ctx.params.username);
  const before = ctx.url.searchParams.get("before");
  const eventsCursor = await currentEventCursor(ctx.state, me);
  const [opening, list, presence] = await Promise.all([
    before
      ? loadMessages(ctx.state, me, peer, {
        beforeSeq: decodeCursor(before, "before"),
        limit: PAGE_SIZE,
      }).then((page) => ({
        ...page,
        firstUnreadId: null,
        unread: 0,
        hasNewer: true,
      }))
      : openConversation(ctx.state, me, peer, PAGE_SIZE),
    listConversationEntries(ctx.state, me, { limit: 100 }),
    presenceOfPeers(ctx.state, me, [peer]),
  ]);
  return ctx.render({
    ...opening,
    presence,
    peer: peer.username,
    eventsCursor,
    conversations: list.conversations,
    paged: Boolean(before),
    ...extra,
  }, init);
}

export const handler = {
  GET(ctx: RouteContext<State, ChatData>) {
    return renderChat(ctx);
  },

  /** The composer without JavaScript: a plain form post, answered with 303 back here. */
  async POST(ctx: RouteContext<State, ChatData>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const { fields: _, ...form } = await readChatForm(
      ctx.state,
      me,
      conversationId(me.id, peer.id),
      ctx.req,
    );
    const parsed = sendMessageSchema.safeParse(form);
    if (!parsed.success) {
      return renderChat(ctx, {
        error: parsed.error.issues[0].message,
        draft: form.text,
      }, {
        status: 422,
      });
    }
    try {
      await sendMessage(ctx.state, me, peer, parsed.data);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== "rate_limited") {
        throw error;
      }
      return renderChat(ctx, { error: error.message, draft: form.text }, {
        status: 429,
        headers: errorHeaders(error),
      });
    }
    return redirect(`/chat/${encodeURIComponent(peer.username)}`);
  },
};

export default function ChatPage({ data, state }: PageProps<State, ChatData>) {
  return (
    <div class="panes has-chat">
      <aside class="pane-list" aria-label="Chats">
        <ChatList
          me={state.user!.username}
          initial={data.conversations}
          presence={data.presence}
          eventsCursor={data.eventsCursor}
          active={data.peer}
        />
      </aside>
      <div class="pane-chat">
        <ChatWindow
          me={state.user!.username}
          peer={data.peer}
          initialMessages={data.messages}
          presence={data.presence[data.peer.toLowerCase()]}
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
