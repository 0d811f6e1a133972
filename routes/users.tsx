import { requireUser } from "../lib/chat.ts";
import {
  listConversationEntries,
  searchPeople,
} from "../lib/conversation_list.ts";
import { type ConversationEntry, currentEventCursor } from "../lib/inbox.ts";
import { usersQuerySchema } from "../lib/schemas.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import type { State } from "../server/state.ts";
import ChatList from "../islands/ChatList.tsx";
import { presenceOfPeers, type PublicPresence } from "../lib/presence.ts";

interface UsersData {
  conversations: ConversationEntry[];
  presence: Record<string, PublicPresence>;
  eventsCursor: string;
  /** The search as typed, and the people it found (none before a search). */
  q: string;
  people: Array<{ username: string }> | null;
}

export const title = "Chats";

const SEARCH_LIMIT = 20;

export const handler = {
  async GET(ctx: RouteContext<State, UsersData>) {
    const me = requireUser(ctx.state);
    const parsed = usersQuerySchema.safeParse({
      q: ctx.url.searchParams.get("q") ?? undefined,
    });
    const q = parsed.success ? parsed.data.q : "";
    const eventsCursor = await currentEventCursor(ctx.state, me);
    const [list, people, presence] = await Promise.all([
      listConversationEntries(ctx.state, me, { limit: 100 }),
      q ? searchPeople(ctx.state, me, { q, limit: SEARCH_LIMIT }) : null,
      presenceOfPeers(ctx.state, me),
    ]);
    return ctx.render({
      conversations: list.conversations,
      presence,
      eventsCursor,
      q,
      people,
    });
  },
};

export default function UsersPage(
  { data, state }: PageProps<State, UsersData>,
) {
  return (
    <div class="panes">
      <aside class="pane-list" aria-label="Chats">
        <ChatList
          me={state.user!.username}
          initial={data.conversations}
          presence={data.presence}
          eventsCursor={data.eventsCursor}
          active={null}
        />
        <section class="people-search" aria-labelledby="people-title">
          <h2 id="people-title">Find people</h2>
          <form method="get" action="/users" role="search">
            <label for="people-q" class="sr-only">Username starts with</label>
            <input
              id="people-q"
              name="q"
              type="search"
              value={data.q}
              maxLength={32}
              autocomplete="off"
              placeholder="Username starts with…"
            />
            <button type="submit" class="button">Search</button>
          </form>
          {data.people && (
            data.people.length === 0
              ? <p class="empty">Nobody’s name starts with “{data.q}”.</p>
              : (
                <ul class="user-list people">
                  {data.people.map((p) => (
                    <li key={p.username}>
                      <a
                        class="user-row"
                        href={`/chat/${encodeURIComponent(p.username)}`}
                      >
                        <span class="avatar" aria-hidden="true">
                          {p.username.slice(0, 1).toUpperCase()}
                        </span>
                        <span class="user-main">
                          <span class="user-name">{p.username}</span>
                        </span>
                      </a>
                    </li>
                  ))}
                </ul>
              )
          )}
        </section>
      </aside>
      <div class="pane-chat pane-empty">
        <p class="muted">Pick a chat, or find someone to talk to.</p>
      </div>
    </div>
  );
}
