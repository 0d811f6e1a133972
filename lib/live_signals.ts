/**
 * Ephemeral inbox events from bus signals: "typing…" and presence changes. They are never
 * stored and carry no cursor: the stream writes them without an `id:`, the long poll
 * returns them with the cursor it already had. Privacy is applied here, per viewer.
 */
import type { BusSignal } from "./bus.ts";
import {
  type ConversationEntry,
  type InboxEvent,
  toConversationEntry,
  usernames,
} from "./inbox.ts";
import { visiblePresence } from "./presence.ts";
import { typingAllowed } from "./settings.ts";
import type { SessionUser, State } from "../server/state.ts";

/** The event `signal` means for `me`, or null when there is none to show. */
export async function liveEvent(
  state: State,
  me: SessionUser,
  signal: BusSignal,
): Promise<InboxEvent | null> {
  if (signal.kind === "typing") {
    // Reciprocal: the sender was checked when it sent; the viewer is checked here.
    if (signal.from === me.id || !(await typingAllowed(state, me.id))) {
      return null;
    }
    const names = await usernames(state, [signal.from]);
    const user = names.get(signal.from);
    if (!user) return null;
    const conversation = await conversationEntry(
      state,
      me,
      signal.conversationId,
      { id: signal.from, username: user },
    );
    return { type: "typing", conversation, user };
  }
  if (signal.kind === "presence") {
    if (signal.userId === me.id) return null;
    const names = await usernames(state, [signal.userId]);
    const user = names.get(signal.userId);
    if (!user) return null;
    const presence = (await visiblePresence(state, me.id, [signal.userId]))
      .get(signal.userId)!;
    return { type: "presence", user, ...presence };
  }
  return null;
}

/** My chat-list entry for a conversation; a fresh one before its first message. */
async function conversationEntry(
  state: State,
  me: SessionUser,
  cid: string,
  peer: SessionUser,
): Promise<ConversationEntry> {
  const member = await state.db.getMemberState(me.id, cid);
  if (member) {
    const ids = [
      member.row.lastFromId,
      ...(member.row.peerId ? [member.row.peerId] : []),
    ];
    return toConversationEntry(member, await usernames(state, ids));
  }
  return {
    id: cid,
    kind: "direct",
    title: peer.username,
    peer: peer.username,
    lastMessage: null,
    unread: 0,
    updatedAt: new Date().toISOString(),
  };
}
