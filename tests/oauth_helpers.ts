/**
 * OAuth test fixtures: a real OpenID Connect server on loopback (npm oauth2-mock-server),
 * and a browser-like walk through /auth/<provider>/signin → provider → callback.
 */
import assert from "node:assert/strict";
import { Events, OAuth2Server } from "oauth2-mock-server";
import type { TestClient } from "./helpers.ts";

export const OIDC_CLIENT_ID = "natter-test";
export const OIDC_CLIENT_SECRET = "natter-test-secret";

type Claims = Record<string, unknown>;

/** A running OpenID Connect provider; `idToken` changes every ID token it signs from then on. */
export interface OidcProvider extends AsyncDisposable {
  server: OAuth2Server;
  issuer: string;
  /** Env for startTestServer() that points the app at this provider. */
  env: Record<string, string>;
  /** Claims merged into (or, as `undefined`, removed from) every later ID token. */
  idToken: Claims;
  stop(): Promise<void>;
}

/** Starts the mock provider on 127.0.0.1 with a fresh RS256 key (use with `await using`). */
export async function startOidcProvider(
  name = "Keycloak",
): Promise<OidcProvider> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  // The library names its URL "localhost", which may resolve to ::1 first.
  server.issuer.url = `http://127.0.0.1:${server.address().port}`;
  const issuer = server.issuer.url;
  const provider: OidcProvider = {
    server,
    issuer,
    env: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID,
      OIDC_CLIENT_SECRET,
      OIDC_NAME: name,
    },
    idToken: {},
    async stop() {
      if (server.listening) await server.stop();
    },
    [Symbol.asyncDispose]: () => provider.stop(),
  };
  server.service.on(Events.BeforeTokenSigning, (token) => {
    // The access token is signed first and has no audience; only alter the ID token.
    if (!("aud" in token.payload)) return;
    for (const [claim, value] of Object.entries(provider.idToken)) {
      if (value === undefined) delete token.payload[claim];
      else token.payload[claim] = value;
    }
  });
  return provider;
}

/** Step 1: the app's sign-in route; returns the provider URL it redirects to. */
export async function startSignIn(
  client: TestClient,
  provider: string,
  query = "",
): Promise<URL> {
  const res = await client.fetch(`/auth/${provider}/signin${query}`);
  await res.body?.cancel();
  assert.equal(res.status, 303, `signin answered ${res.status}`);
  return new URL(res.headers.get("location")!);
}

/** Step 2: the provider's authorize endpoint, which here redirects straight back. */
export async function visitProvider(authorizeUrl: URL): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: "manual" });
  await res.body?.cancel();
  assert.equal(res.status, 302, `provider answered ${res.status}`);
  const back = new URL(res.headers.get("location")!);
  return back.pathname + back.search;
}

/** The whole walk; returns the callback's response and the callback path (for replays). */
export async function signInWith(
  client: TestClient,
  provider: string,
  query = "",
): Promise<{ res: Response; callbackPath: string; authorizeUrl: URL }> {
  const authorizeUrl = await startSignIn(client, provider, query);
  const callbackPath = await visitProvider(authorizeUrl);
  const res = await client.fetch(callbackPath);
  return { res, callbackPath, authorizeUrl };
}

/** Asserts a refused sign-in: the status, an HTML page with `message` and a way to /login, no session. */
export async function assertRefused(
  res: Response,
  status: number,
  message: RegExp,
): Promise<void> {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assert.match(html, message);
  assert.match(html, /href="\/login"/);
  assert.ok(
    !res.headers.getSetCookie().some((c) => c.startsWith("natter_session=")),
    "no session cookie on a refused sign-in",
  );
}

/** The signed-in username shown in the top bar, or null when signed out. */
export async function signedInAs(client: TestClient): Promise<string | null> {
  const res = await client.fetch("/users");
  const html = await res.text();
  if (res.status !== 200) return null;
  return html.match(/Signed in as <strong>([^<]+)<\/strong>/)?.[1] ?? null;
}
