/**
 * The direct chat's long poll (`GET …/messages?after=&wait=`) and the held-poll slot that
 * every long poll takes (groups' too): held until the conversation's head passes the
 * cursor, the wait runs out, the client goes or the server shuts down.
 */
import { conversationId, type User } from "./db/db.ts";
import { encodeCursor } from "./cursor.ts";
import { DomainError } from "./errors.ts";
import { headWaiterFor, type WaitOutcome } from "./long_poll.ts";
import { presenceFor } from "./presence.ts";
import { loadMessages, type MessagePage, olderCursor } from "./chat.ts";
import type { SessionUser, State } from "../server/state.ts";
import {
  HELD_POLL_RETRY_AFTER_SECONDS,
  MAX_HELD_POLLS_PER_USER,
} from "../server/rate_limit.ts";

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
): Promise<MessagePage> {
  const { afterSeq, limit } = options;
  const cid = conversationId(me.id, peer.id);
  const outcome = await waitPastSeq(state, me, cid, afterSeq, options);
  if (outcome !== "changed") {
    return {
      messages: [],
      cursor: encodeCursor(afterSeq),
      older: olderCursor(afterSeq + 1),
    };
  }
  return await loadMessages(state, me, peer, { afterSeq, limit });
}

/**
 * Resolves "changed" once conversation `cid`'s head is past `afterSeq`: at once when it
 * already is, else after holding one of `me`'s poll slots (direct chats and groups alike).
 *
 * Besides the shared watch and re-read, a wake-up for `me` on the bus re-reads the head:
 * with a shared bus (Redis) that is the only way a send, through this process or another,
 * ends the wait early. The listener is in place before the first head read, so a commit
 * between that read and the wait is not missed: its signal is kept and answered with one
 * more read once the wait is registered (and only then, so a quiet poll costs one read).
 * A send's signal names its conversation and seq: for this conversation, past `afterSeq`,
 * the message is committed and the wait ends without reading the head at all.
 */
export async function waitPastSeq(
  state: State,
  me: SessionUser,
  cid: string,
  afterSeq: number,
  options: { waitSeconds: number; signal?: AbortSignal },
): Promise<WaitOutcome> {
  const waiter = headWaiterFor(state.db);
  let waiting = false;
  let signalled = false;
  const sent = new AbortController();
  const unsubscribe = state.bus.subscribe(me.id, (signal) => {
    if (signal.kind !== "inbox") return;
    if (signal.conversationId === cid && (signal.seq ?? 0) > afterSeq) {
      sent.abort();
    } else if (waiting) waiter.recheck(cid);
    else signalled = true;
  });
  try {
    const head = await state.db.getConversationHead(cid);
    if ((head?.seq ?? 0) > afterSeq) return "changed";
    if (options.waitSeconds <= 0) return "timeout";
    const outcome = await holdPoll(state, me, () => {
      if (sent.signal.aborted) return Promise.resolve<WaitOutcome>("changed");
      const outcome = waiter.wait(cid, afterSeq, {
        timeoutMs: options.waitSeconds * 1000,
        // Combined per poll: listeners stay off the shared shutdown signal.
        signals: [
          AbortSignal.any([
            state.shutdown,
            ...(options.signal ? [options.signal] : []),
          ]),
          sent.signal,
        ],
      });
      waiting = true;
      if (signalled) waiter.recheck(cid);
      return outcome;
    });
    return outcome === "aborted" && sent.signal.aborted ? "changed" : outcome;
  } finally {
    unsubscribe();
  }
}

/**
 * Holds one of the user's few long-poll slots while `wait` runs. Over the limit the new
 * poll is refused (429), not the oldest answered: answering the oldest would make two
 * tabs over the limit knock each other's polls out in a loop.
 */
export async function holdPoll<T>(
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
  // A held poll keeps me online until it answers.
  const online = presenceFor(state).hold(me.id);
  try {
    return await wait();
  } finally {
    online();
    release();
  }
}
