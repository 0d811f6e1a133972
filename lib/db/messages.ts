/**
 * Messages and conversation heads. A head holds a conversation's latest seq; every send
 * checks it, which gives a gap-free total order across concurrent senders and processes.
 */
import { DomainError } from "../errors.ts";
import {
  markAttachmentsUsed,
  type MessageAttachment,
  readClaimableAttachments,
  toMessageAttachments,
} from "./attachments.ts";
import {
  addMessageToMembers,
  type ConversationRecord,
} from "./conversations.ts";
import { conversationId, keys } from "./keys.ts";
import { commitWithRetry } from "./kv.ts";
import type { User } from "./users.ts";

export interface Message {
  id: string;
  /** Position in the conversation, 1-based, gap-free. */
  seq: number;
  from: string;
  to: string;
  text: string;
  sentAt: string;
  clientId?: string;
  /** Copies of the attachments' public fields (issue 14); absent on text-only messages. */
  attachments?: MessageAttachment[];
  /** A group message names its group (and `to` is the group's id). */
  conversation?: string;
  /** A group's membership or name change, written by lib/db/groups.ts. */
  system?: true;
}

export interface ConversationHead {
  seq: number;
  lastMessageAt: string;
}

/** A head as long polling tracks it: its seq (0 before the first message) and versionstamp. */
export interface HeadState {
  seq: number;
  versionstamp: string | null;
}

/**
 * Appends a message to the conversation in one atomic commit. A repeated `clientId` from
 * the same sender returns the stored message instead of a duplicate.
 */
export async function sendMessage(
  kv: Deno.Kv,
  input: {
    from: Pick<User, "id">;
    to: Pick<User, "id">;
    text: string;
    clientId?: string;
    /** Ids of the sender's unused uploads in this conversation (at most 10). */
    attachmentIds?: string[];
    now?: Date;
  },
): Promise<{ message: Message; created: boolean }> {
  const cid = conversationId(input.from.id, input.to.id);
  const headKey = keys.conversationHead(cid);
  const recordKey = keys.conversation(cid);
  const clientKey = input.clientId
    ? keys.clientMessage(cid, input.from.id, input.clientId)
    : null;
  return await commitWithRetry<{ message: Message; created: boolean }>(
    async () => {
      // One round trip. Without a clientId the second read is the head again. Both users
      // are read so the commit can check they still exist: once a delete has removed
      // either, no message can land in their conversation.
      const [head, client, sender, receiver, record] = await kv.getMany<
        [ConversationHead, number, User, User, ConversationRecord]
      >([
        headKey,
        clientKey ?? headKey,
        keys.user(input.from.id),
        keys.user(input.to.id),
        recordKey,
      ]);
      if (!sender.value || !receiver.value) {
        throw new DomainError(
          "not_found",
          "user_not_found",
          "Cannot send message: that user no longer exists",
        );
      }
      if (clientKey && client.value) {
        const stored = await kv.get<Message>(keys.message(cid, client.value));
        if (stored.value) {
          return { done: { message: stored.value, created: false } };
        }
      }
      const claimed = input.attachmentIds?.length
        ? await readClaimableAttachments(
          kv,
          cid,
          input.from.id,
          input.attachmentIds,
        )
        : [];
      const seq = (head.value?.seq ?? 0) + 1;
      const sentAt = (input.now ?? new Date()).toISOString();
      const message: Message = {
        id: crypto.randomUUID(),
        seq,
        from: input.from.id,
        to: input.to.id,
        text: input.text,
        sentAt,
        ...(input.clientId ? { clientId: input.clientId } : {}),
        ...(claimed.length
          ? { attachments: toMessageAttachments(claimed) }
          : {}),
      };
      const conversation: ConversationRecord = record.value ?? {
        id: cid,
        kind: "direct",
        members: [input.from.id, input.to.id].sort(),
        createdAt: sentAt,
      };
      const op = kv.atomic()
        .check(head, sender, receiver)
        .set(headKey, { seq, lastMessageAt: sentAt } satisfies ConversationHead)
        .set(keys.message(cid, seq), message)
        .sum(keys.sentCount(input.from.id), 1n);
      // The first message creates the record; the head check already makes it the first.
      if (!record.value) op.check(record).set(recordKey, conversation);
      addMessageToMembers(op, conversation, message);
      // No check per attachment: every claim and the sweep hold the head's check.
      markAttachmentsUsed(op, claimed, message.id);
      if (clientKey) {
        op.check({ key: clientKey, versionstamp: null }).set(clientKey, seq);
      }
      return { op, result: { message, created: true } };
    },
    "Cannot send message: the conversation is too busy, try again",
  );
}

/**
 * Lists messages oldest first: those after `afterSeq`, else those before `beforeSeq`, else
 * the newest `limit`. Costs one range read, whatever the length of the history.
 */
export async function listMessages(
  kv: Deno.Kv,
  cid: string,
  options: { afterSeq?: number; beforeSeq?: number; limit: number },
): Promise<Message[]> {
  const messages: Message[] = [];
  if (options.afterSeq !== undefined) {
    const iter = kv.list<Message>({
      prefix: keys.messages(cid),
      start: keys.message(cid, options.afterSeq + 1),
    }, { limit: options.limit });
    for await (const entry of iter) messages.push(entry.value);
    return messages;
  }
  const selector: Deno.KvListSelector = options.beforeSeq === undefined
    ? { prefix: keys.messages(cid) }
    : { prefix: keys.messages(cid), end: keys.message(cid, options.beforeSeq) };
  const iter = kv.list<Message>(selector, {
    limit: options.limit,
    reverse: true,
  });
  for await (const entry of iter) messages.push(entry.value);
  return messages.reverse();
}

/** Returns the conversation's head (latest seq), or null before its first message. */
export async function getConversationHead(
  kv: Deno.Kv,
  cid: string,
): Promise<ConversationHead | null> {
  return (await kv.get<ConversationHead>(keys.conversationHead(cid))).value;
}

/**
 * Streams a conversation's head: its current state at once, then each change. On a local
 * SQLite file only this process's writes show up here (see `getConversationHeadStates`).
 */
export function watchConversationHead(
  kv: Deno.Kv,
  cid: string,
): ReadableStream<HeadState> {
  return kv.watch<[ConversationHead]>([keys.conversationHead(cid)])
    .pipeThrough(
      new TransformStream<[Deno.KvEntryMaybe<ConversationHead>], HeadState>({
        transform: ([entry], out) => out.enqueue(toHeadState(entry)),
      }),
    );
}

/**
 * Reads several heads, ten keys per read (KV's getMany limit). Long polling re-reads
 * watched heads with this, because kv.watch on a local SQLite file never sees another
 * process's writes.
 */
export async function getConversationHeadStates(
  kv: Deno.Kv,
  cids: string[],
): Promise<HeadState[]> {
  const states: HeadState[] = [];
  for (let i = 0; i < cids.length; i += 10) {
    const entries = await kv.getMany<ConversationHead[]>(
      cids.slice(i, i + 10).map((cid) => keys.conversationHead(cid)),
    );
    states.push(...entries.map(toHeadState));
  }
  return states;
}

function toHeadState(entry: Deno.KvEntryMaybe<ConversationHead>): HeadState {
  return { seq: entry.value?.seq ?? 0, versionstamp: entry.versionstamp };
}

/**
 * The seq of the message with this id, or null. Scans from the newest message back: the
 * island reports what is on screen, which is almost always within the first small batch.
 */
export async function findMessageSeq(
  kv: Deno.Kv,
  cid: string,
  messageId: string,
): Promise<number | null> {
  const iter = kv.list<Message>({ prefix: keys.messages(cid) }, {
    reverse: true,
    batchSize: 50,
  });
  for await (const entry of iter) {
    if (entry.value.id === messageId) return entry.value.seq;
  }
  return null;
}
