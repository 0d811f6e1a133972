/**
 * Privacy settings: `GET` → `{"readReceipts", "typingIndicators", "lastSeen"}`; `PUT` takes
 * any subset of those fields and answers with the whole result. An unknown field or value
 * is a 422 and changes nothing.
 */
import { requireUser } from "../../lib/chat.ts";
import { settingsPatchSchema } from "../../lib/schemas.ts";
import { settingsFor, updateSettings } from "../../lib/settings.ts";
import type { RouteContext } from "../../runtime/types.ts";
import { json, parseOrThrow, readJson } from "../../server/http.ts";
import type { State } from "../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    return json(await settingsFor(ctx.state, me.id));
  },

  async PUT(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const patch = parseOrThrow(settingsPatchSchema, await readJson(ctx.req));
    return json(await updateSettings(ctx.state, me.id, patch));
  },
};
