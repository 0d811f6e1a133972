/**
 * Loads the session from its cookie, then denies by default: every path not listed as
 * public needs a signed-in user (pages redirect to /login, the API answers 401).
 */
import { hashSessionToken, readSessionToken } from "../server/auth.ts";
import { authenticatedAt } from "../lib/db/db.ts";
import { DomainError } from "../lib/errors.ts";
import { presenceFor } from "../lib/presence.ts";
import type { RouteContext } from "../runtime/types.ts";
import { ATTACHMENT_DOWNLOAD, redirect } from "../server/http.ts";
import { attachmentNotFound } from "../lib/attachments.ts";
import type { State } from "../server/state.ts";

const PUBLIC_PATHS = [/^\/$/, /^\/login$/, /^\/register$/, /^\/auth\//];

export async function handler(ctx: RouteContext<State>): Promise<Response> {
  const token = readSessionToken(ctx.req, ctx.state.secure);
  if (token) {
    const tokenHash = await hashSessionToken(token);
    const session = await ctx.state.db.validateSession(tokenHash);
    if (session) {
      ctx.state.user = { id: session.userId, username: session.username };
      ctx.state.sessionTokenHash = tokenHash;
      ctx.state.authenticatedAt = authenticatedAt(session);
      // Any request keeps its user online for a while; in memory, never a KV write.
      presenceFor(ctx.state).touch(session.userId);
    }
  }
  const path = ctx.url.pathname;
  if (!ctx.state.user && !PUBLIC_PATHS.some((p) => p.test(path))) {
    // An attachment's URL must not tell a stranger that it exists.
    if (ATTACHMENT_DOWNLOAD.test(path)) throw attachmentNotFound();
    if (path.startsWith("/api/")) {
      throw new DomainError(
        "unauthenticated",
        "unauthorized",
        "You must be logged in",
      );
    }
    const next = ctx.req.method === "GET" ? path + ctx.url.search : "/users";
    return redirect(`/login?next=${encodeURIComponent(next)}`);
  }
  return await ctx.next();
}
