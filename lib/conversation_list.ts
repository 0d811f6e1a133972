/**
 * The chat list (newest first, paged with an opaque cursor) and the people search that
 * finds those I have no conversation with yet.
 */
import { DomainError } from "./errors.ts";
import { encodeBase64Url } from "./encoding.ts";
import {
  type ConversationEntry,
  toConversationEntry,
  usernames,
} from "./inbox.ts";
import type { SessionUser, State } from "../server/state.ts";

const CURSOR_PREFIX = "c1.";

/** Sort order of the list: latest activity first, then id, so paging is stable. */
function before(a: ConversationEntry, b: ConversationEntry): number {
  return b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id);
}

function encodeListCursor(entry: ConversationEntry): string {
  return encodeBase64Url(
    new TextEncoder().encode(
      CURSOR_PREFIX + JSON.stringify([entry.updatedAt, entry.id]),
    ),
  );
}

function decodeListCursor(cursor: string): Pick<
  ConversationEntry,
  "updatedAt" | "id"
> {
  try {
    const b64 = cursor.replaceAll("-", "+").replaceAll("_", "/");
    const text = atob(b64 + "=".repeat((4 - b64.length % 4) % 4));
    if (text.startsWith(CURSOR_PREFIX)) {
      const [updatedAt, id] = JSON.parse(text.slice(CURSOR_PREFIX.length));
      if (typeof updatedAt === "string" && typeof id === "string") {
        return { updatedAt, id };
      }
    }
  } catch {
    // Falls through to the error below.
  }
  throw new DomainError(
    "bad_request",
    "bad_cursor",
    "The cursor is not valid",
    {
      field: "after",
    },
  );
}

/** My conversations, newest first: `limit` of them after `after`, and the next cursor. */
export async function listConversationEntries(
  state: State,
  me: SessionUser,
  options: { limit: number; after?: string },
): Promise<{ conversations: ConversationEntry[]; cursor: string | null }> {
  const from = options.after === undefined
    ? null
    : decodeListCursor(options.after);
  const states = [...(await state.db.listMemberStates(me.id)).values()];
  const ids = new Set<string>();
  for (const s of states) {
    if (s.row.peerId) ids.add(s.row.peerId);
    ids.add(s.row.lastFromId);
  }
  const names = await usernames(state, ids);
  const all = states.map((s) => toConversationEntry(s, names)).sort(before);
  const start = from
    ? all.findIndex((e) => before(e, from as ConversationEntry) > 0)
    : 0;
  const page = start < 0 ? [] : all.slice(start, start + options.limit);
  const more = start >= 0 && start + options.limit < all.length;
  return {
    conversations: page,
    cursor: more ? encodeListCursor(page.at(-1)!) : null,
  };
}

/** People whose name starts with `q` (any case), me excluded, in name order. */
export async function searchPeople(
  state: State,
  me: SessionUser,
  options: { q: string; limit: number },
): Promise<Array<{ username: string }>> {
  const found = await state.db.searchUsers(options.q, options.limit + 1);
  return found.filter((u) => u.id !== me.id).slice(0, options.limit)
    .map((u) => ({ username: u.username }));
}
