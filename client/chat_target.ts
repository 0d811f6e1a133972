/**
 * Which conversation a chat window shows, a direct chat or a group (issue 13): its API,
 * its page, the id its outbox and draft are stored under, and which inbox events are its.
 */
import type { InboxEvent } from "../lib/inbox.ts";

/** An event that carries a message: a new one, or a group's system message. */
export type ChatEvent = Extract<
  InboxEvent,
  { type: "message" | "conversation" }
>;

export interface ChatTarget {
  /** `/api/conversations/:peer` or `/api/groups/:id`. */
  apiBase: string;
  /** A group's page; undefined for a direct chat (whose page is `/chat/:peer`). */
  groupPath?: string;
  /** What outbox and draft keys are stored under. */
  storageId: string;
  /** Whether an inbox event brings a message (or a group's change) of this chat. */
  owns(event: InboxEvent): event is ChatEvent;
}

/** The target of a chat window with `peer` (a group's title when `groupId` is given). */
export function chatTarget(peer: string, groupId?: string): ChatTarget {
  if (groupId) {
    const groupPath = `/groups/${groupId}`;
    return {
      apiBase: `/api${groupPath}`,
      groupPath,
      storageId: groupId,
      owns: (e): e is ChatEvent =>
        (e.type === "message" || e.type === "conversation") &&
        e.conversation.id === groupId,
    };
  }
  return {
    apiBase: `/api/conversations/${encodeURIComponent(peer)}`,
    storageId: peer,
    owns: (e): e is ChatEvent =>
      e.type === "message" &&
      e.conversation.peer?.toLowerCase() === peer.toLowerCase(),
  };
}
