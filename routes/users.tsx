import { formatWhen, SERVER_CLOCK_ZONE } from "../components/format.ts";
import { requireUser } from "../lib/chat.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import type { State } from "../server/state.ts";
import LocalTimes from "../islands/LocalTimes.tsx";

interface UserRow {
  username: string;
  preview?: string;
  lastMessageAt?: string;
  lastFromMe?: boolean;
  unread: number;
}

export const title = "Chats";

export const handler = {
  async GET(ctx: RouteContext<State, UserRow[]>) {
    const me = requireUser(ctx.state);
    const [users, conversations] = await Promise.all([
      ctx.state.db.listUsers(),
      ctx.state.db.listConversations(me.id),
    ]);
    const byId = new Map(users.map((u) => [u.id, u]));
    const rows: UserRow[] = [];
    for (const c of conversations) {
      const peer = byId.get(c.peerId);
      if (!peer) continue;
      rows.push({
        username: peer.username,
        preview: c.preview,
        lastMessageAt: c.lastMessageAt,
        lastFromMe: c.lastFromId === me.id,
        unread: c.unread,
      });
      byId.delete(c.peerId);
    }
    byId.delete(me.id);
    const others = [...byId.values()]
      .sort((a, b) =>
        a.username.localeCompare(b.username, "en", { sensitivity: "base" })
      )
      .map((u) => ({ username: u.username, unread: 0 }));
    return ctx.render([...rows, ...others]);
  },
};

export default function UsersPage({ data }: PageProps<State, UserRow[]>) {
  const clock = { timeZone: SERVER_CLOCK_ZONE, now: new Date() };
  return (
    <section class="card">
      <h1>Chats</h1>
      {data.length === 0
        ? (
          <p class="empty">
            Nobody else is here yet. Invite a friend to register!
          </p>
        )
        : (
          <ul class="user-list">
            {data.map((row) => (
              <li key={row.username}>
                <a
                  href={`/chat/${encodeURIComponent(row.username)}`}
                  class={row.unread > 0 ? "user-row has-unread" : "user-row"}
                >
                  <span class="avatar" aria-hidden="true">
                    {row.username.slice(0, 1).toUpperCase()}
                  </span>
                  <span class="user-main">
                    <span class="user-name">{row.username}</span>
                    <span class="user-preview">
                      {row.preview === undefined
                        ? "No messages yet"
                        : `${row.lastFromMe ? "You: " : ""}${row.preview}`}
                    </span>
                  </span>
                  <span class="user-meta">
                    {row.lastMessageAt && (
                      <time datetime={row.lastMessageAt} data-format="when">
                        {formatWhen(row.lastMessageAt, clock)}
                      </time>
                    )}
                    {row.unread > 0 && (
                      <>
                        <span class="badge" aria-hidden="true">
                          {row.unread}
                        </span>
                        <span class="sr-only">{`${row.unread} unread`}</span>
                      </>
                    )}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
      <LocalTimes />
    </section>
  );
}
