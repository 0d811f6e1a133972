/**
 * Chat use cases shared by the chat page, its no-JS form and the JSON API, so all three
 * apply the same authorization, limits and shapes.
 */
import { conversationId, type User } from "./db/db.ts";
import { encodeCursor } from "./cursor.ts";
import { DomainError } from "./errors.ts";
import { headWaiterFor } from "./long_poll.ts";
import { type PublicMessage, toPublicMessage } from "./messages.ts";
import { USERNAME_PATTERN } from "./schemas.ts";
import type { SessionUser, State } from "../server/state.ts";
import {
  HELD_POLL_RETRY_AFTER_SECONDS,
  MAX_HELD_POLLS_PER_USER,
} from "../server/rate_limit.ts";

/** The chat partner named in the URL; 404 when unknown (or oneself: no self-chats). */
export async function findPeer(state: State, username: string): Promise<User> {
  // Only a name that could have been registered is looked up: the index lowercases, and
  // "\u212A" (Kelvin sign) lowercases to "k", which would alias another account.
  if (!USERNAME_PATTERN.test(username)) throw peerNotFound(username);
  let peer = state.users.get(username) ?? null;
  if (!peer) {
    peer = await state.db.getUserByName(username);
    if (peer) state.users.set(peer);
  }
  if (!peer || peer.id === state.user?.id) throw peerNotFound(username);
  return peer;
}

function peerNotFound(username: string): DomainError {
  return new DomainError(
    "not_found",
    "user_not_found",
    `No user named "${username}"`,
  );
}

/** Messages between `me` and `peer`, oldest first, with the cursor to poll from. */
export async function loadMessages(
  state: State,
  me: SessionUser,
  peer: User,
  options: { afterSeq?: number; limit: number },
): Promise<{ messages: PublicMessage[]; cursor: string }> {
  const cid = conversationId(me.id, peer.id);
  const stored = await state.db.listMessages(cid, options);
  const lastSeq = stored.at(-1)?.seq ?? options.afterSeq ?? 0;
  if (stored.some((m) => m.from !== me.id)) {
    await state.db.markRead(me.id, cid, lastSeq);
  }
  return {
    messages: stored.map((m) => toPublicMessage(m, [me, peer], me.id)),
    cursor: encodeCursor(lastSeq),
  };
}

/**
 * A long poll: like `loadMessages` after `afterSeq`, but when nothing is newer it holds
 * until a message arrives, `waitSeconds` pass, `signal` fires (client gone) or the server
 * shuts down. Nothing new costs one head read (not a message scan) before and after holding.
 */
export async function pollMessages(
  state: State,
  me: SessionUser,
  peer: User,
  options: {
    afterSeq: number;
    limit: number;
    waitSeconds: number;
    signal?: AbortSignal;
  },
): Promise<{ messages: PublicMessage[]; cursor: string }> {
  const { afterSeq, limit } = options;
  const cid = conversationId(me.id, peer.id);
  const head = await state.db.getConversationHead(cid);
  if ((head?.seq ?? 0) <= afterSeq) {
    const outcome = options.waitSeconds > 0
      ? await holdPoll(
        state,
        me,
        () =>
          headWaiterFor(state.db).wait(cid, afterSeq, {
            timeoutMs: options.waitSeconds * 1000,
            signals: [
              state.shutdown,
              ...(options.signal ? [options.signal] : []),
            ],
          }),
      )
      : "timeout";
    if (outcome !== "changed") {
      return { messages: [], cursor: encodeCursor(afterSeq) };
    }
  }
  return await loadMessages(state, me, peer, { afterSeq, limit });
}

/**
 * Holds one of the user's few long-poll slots while `wait` runs. Over the limit the new
 * poll is refused (429), not the oldest answered: answering the oldest would make two
 * tabs over the limit knock each other's polls out in a loop.
 */
async function holdPoll<T>(
  state: State,
  me: SessionUser,
  wait: () => Promise<T>,
): Promise<T> {
  const release = state.limits.heldPolls.acquire(me.id);
  if (!release) {
    throw new DomainError(
      "rate_limited",
      "too_many_polls",
      `You already have ${MAX_HELD_POLLS_PER_USER} requests waiting for messages; close some tabs or wait`,
      { retryAfter: HELD_POLL_RETRY_AFTER_SECONDS },
    );
  }
  try {
    return await wait();
  } finally {
    release();
  }
}

/** Sends a message from `me` to `peer`, within the per-user rate limit. */
export async function sendMessage(
  state: State,
  me: SessionUser,
  peer: User,
  input: { text: string; clientId?: string },
): Promise<{ message: PublicMessage; created: boolean }> {
  if (!state.limits.sends.take(me.id)) {
    throw new DomainError(
      "rate_limited",
      "rate_limited",
      "You are sending messages too fast",
      {
        retryAfter: state.limits.sends.retryAfter(me.id),
      },
    );
  }
  const result = await state.db.sendMessage({ from: me, to: peer, ...input });
  return {
    message: toPublicMessage(result.message, [me, peer], me.id),
    created: result.created,
  };
}

/** The signed-in user, or a 401 (the middleware normally redirects before this). */
export function requireUser(state: State): SessionUser {
  if (!state.user) {
    throw new DomainError(
      "unauthenticated",
      "unauthorized",
      "You must be logged in",
    );
  }
  return state.user;
}
