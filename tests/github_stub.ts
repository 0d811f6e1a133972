/**
 * A stand-in for GitHub's three OAuth endpoints on 127.0.0.1 (the app reaches it through
 * GITHUB_URL, as it would a GitHub Enterprise Server). It checks what real GitHub checks:
 * client credentials, the redirect URI, single-use codes and the PKCE verifier.
 */
import { encodeBase64Url } from "../lib/encoding.ts";

export const GITHUB_CLIENT_ID = "gh-test-client";
export const GITHUB_CLIENT_SECRET = "gh-test-secret";

export interface GitHubUser {
  id: number;
  login: string;
  email?: string | null;
}

interface PendingCode {
  challenge: string;
  redirectUri: string;
  user: GitHubUser;
}

export interface GitHubStub extends AsyncDisposable {
  url: string;
  env: Record<string, string>;
  /** Who "signs in" at the next authorize request. */
  user: GitHubUser;
  /** When set, the next authorize request answers with this error instead of a code. */
  authorizeError?: string;
  /** Token requests whose PKCE verifier matched the stored challenge. */
  verifiedPkce: number;
  stop(): Promise<void>;
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(verifier),
  );
  return encodeBase64Url(new Uint8Array(digest));
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** Starts the stand-in on a free loopback port (use with `await using`). */
export function startGitHubStub(): GitHubStub {
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, GitHubUser>();
  const expectedAuth = `Basic ${
    btoa(`${GITHUB_CLIENT_ID}:${GITHUB_CLIENT_SECRET}`)
  }`;

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const q = url.searchParams;
      const redirectUri = q.get("redirect_uri");
      const challenge = q.get("code_challenge");
      if (
        q.get("client_id") !== GITHUB_CLIENT_ID || !redirectUri ||
        !challenge || q.get("code_challenge_method") !== "S256"
      ) {
        return new Response("bad authorize request", { status: 400 });
      }
      const back = new URL(redirectUri);
      if (stub.authorizeError) {
        back.searchParams.set("error", stub.authorizeError);
        stub.authorizeError = undefined;
      } else {
        const code = crypto.randomUUID();
        codes.set(code, { challenge, redirectUri, user: { ...stub.user } });
        back.searchParams.set("code", code);
      }
      back.searchParams.set("state", q.get("state") ?? "");
      return Response.redirect(back, 302);
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = new URLSearchParams(await req.text());
      if (req.headers.get("authorization") !== expectedAuth) {
        return json({ error: "incorrect_client_credentials" });
      }
      const pending = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      // Like GitHub: errors come back with status 200.
      if (!pending || pending.redirectUri !== form.get("redirect_uri")) {
        return json({ error: "bad_verification_code" });
      }
      if (await s256(form.get("code_verifier") ?? "") !== pending.challenge) {
        return json({ error: "invalid_grant" });
      }
      stub.verifiedPkce++;
      const token = crypto.randomUUID();
      tokens.set(token, pending.user);
      return json({ access_token: token, token_type: "bearer", scope: "" });
    }
    if (req.method === "GET" && url.pathname === "/api/v3/user") {
      const token = req.headers.get("authorization")?.replace(/^Bearer /, "");
      const user = tokens.get(token ?? "");
      if (!user) return json({ message: "Bad credentials" }, 401);
      return json({ ...user, name: null });
    }
    return new Response("not found", { status: 404 });
  };

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    handle,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  let stopped: Promise<void> | undefined;
  const stub: GitHubStub = {
    url,
    env: {
      GITHUB_CLIENT_ID,
      GITHUB_CLIENT_SECRET,
      GITHUB_URL: url,
    },
    user: { id: 1001, login: "octocat", email: null },
    verifiedPkce: 0,
    stop() {
      stopped ??= server.shutdown();
      return stopped;
    },
    [Symbol.asyncDispose]: () => stub.stop(),
  };
  return stub;
}
