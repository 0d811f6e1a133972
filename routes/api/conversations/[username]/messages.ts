/**
 * The chat API. GET lists messages after a cursor, before one (paging back through the
 * history) or the newest ones; every page carries `cursor` and `older`. With `after` and
 * `wait` it long polls: it holds until a message arrives or `wait` seconds pass. POST sends one;
 * a repeated `clientId` returns the stored message (200) instead of a duplicate (201).
 * Errors are JSON, mapped from DomainError in server/errors.ts.
 */
import {
  findPeer,
  loadMessages,
  pollMessages,
  requireUser,
  sendMessage,
} from "../../../../lib/chat.ts";
import { decodeCursor } from "../../../../lib/cursor.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../../../server/http.ts";
import {
  messagesQuerySchema,
  sendMessageSchema,
} from "../../../../lib/schemas.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const query = parseOrThrow(
      messagesQuerySchema,
      Object.fromEntries(ctx.url.searchParams),
    );
    const afterSeq = query.after === undefined
      ? undefined
      : decodeCursor(query.after);
    const beforeSeq = query.before === undefined
      ? undefined
      : decodeCursor(query.before, "before");
    const peer = await findPeer(ctx.state, ctx.params.username);
    // Without `after` there is nothing to wait for: the page comes at once.
    const page = afterSeq === undefined
      ? await loadMessages(ctx.state, me, peer, {
        beforeSeq,
        limit: query.limit,
      })
      : await pollMessages(ctx.state, me, peer, {
        afterSeq,
        limit: query.limit,
        waitSeconds: query.wait,
        signal: ctx.req.signal,
      });
    return json(page);
  },

  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const input = parseOrThrow(sendMessageSchema, await readJson(ctx.req));
    const { message, created } = await sendMessage(ctx.state, me, peer, input);
    return json({ message }, { status: created ? 201 : 200 });
  },
};
