/**
 * `GET` → `{"online", "lastSeen"}`: the person's presence as my and their privacy settings
 * allow (hidden: `{"online": false, "lastSeen": null}`).
 */
import { findPeer, requireUser } from "../../../../lib/chat.ts";
import { visiblePresence } from "../../../../lib/presence.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { json } from "../../../../server/http.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async GET(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const peer = await findPeer(ctx.state, ctx.params.username);
    const presence = await visiblePresence(ctx.state, me.id, [peer.id]);
    return json(presence.get(peer.id));
  },
};
