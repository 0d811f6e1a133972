import {
  findPeer,
  loadMessages,
  requireUser,
  sendMessage,
} from "../../lib/chat.ts";
import { DomainError } from "../../lib/errors.ts";
import { errorHeaders } from "../../server/errors.ts";
import type { PageProps, RouteContext } from "../../runtime/types.ts";
import { readForm, redirect } from "../../server/http.ts";
import type { PublicMessage } from "../../lib/messages.ts";
import { messageTextSchema } from "../../lib/schemas.ts";
import type { State } from "../../server/state.ts";
import ChatWindow from "../../islands/ChatWindow.tsx";

interface ChatData {
  peer: string;
  messages: PublicMessage[];
  cursor: string;
  error?: string;
  draft?: string;
}

/** How many messages the page renders; older ones are not shown (yet). */
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
  const { messages, cursor } = await loadMessages(ctx.state, me, peer, {
    limit: PAGE_SIZE,
  });
  return ctx.render({ peer: peer.username, messages, cursor, ...extra }, init);
}

export const handler = {
  GET(ctx: RouteContext<State, ChatData>) {
    return renderChat(ctx);
  },

  /** The composer without JavaScript: a plain form post, answered with 303 back here. */
  async POST(ctx: RouteContext<State, ChatData>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const form = await readForm(ctx.req);
    const parsed = messageTextSchema.safeParse(form.text ?? "");
    if (!parsed.success) {
      return renderChat(ctx, {
        error: parsed.error.issues[0].message,
        draft: form.text,
      }, {
        status: 422,
      });
    }
    try {
      await sendMessage(ctx.state, me, peer, { text: parsed.data });
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
    <ChatWindow
      me={state.user!.username}
      peer={data.peer}
      initialMessages={data.messages}
      cursor={data.cursor}
      pollIntervalMs={state.config.pollIntervalMs}
      error={data.error}
      draft={data.draft}
    />
  );
}
