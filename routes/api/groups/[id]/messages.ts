/**
 * A group's messages, with the direct chat API's semantics: GET pages (`after`, `before`,
 * `limit`) and long polls (`after` + `wait`); POST sends, a repeated `clientId` answering
 * the stored message (200) instead of a duplicate (201).
 */
import { requireUser } from "../../../../lib/chat.ts";
import { decodeCursor } from "../../../../lib/cursor.ts";
import {
  loadGroupMessages,
  pollGroupMessages,
  sendGroupMessage,
} from "../../../../lib/group_chat.ts";
import { requireGroup } from "../../../../lib/groups.ts";
import {
  messagesQuerySchema,
  sendMessageSchema,
} from "../../../../lib/schemas.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../../../server/http.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
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
    const page = afterSeq === undefined
      ? await loadGroupMessages(ctx.state, me, ctx.params.id, {
        beforeSeq,
        limit: query.limit,
      })
      : await pollGroupMessages(ctx.state, me, ctx.params.id, {
        afterSeq,
        limit: query.limit,
        waitSeconds: query.wait,
        signal: ctx.req.signal,
      });
    return json(page);
  },

  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    await requireGroup(ctx.state, me, ctx.params.id);
    const input = parseOrThrow(sendMessageSchema, await readJson(ctx.req));
    const { message, created } = await sendGroupMessage(
      ctx.state,
      me,
      ctx.params.id,
      input,
    );
    return json({ message }, { status: created ? 201 : 200 });
  },
};
