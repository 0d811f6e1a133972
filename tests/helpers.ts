/**
 * Test fixtures: the real server on a free loopback port with a fresh in-memory KV, and an
 * HTTP client that keeps cookies the way a browser does.
 */
import { type AppConfig, loadConfig } from "../fresh.config.ts";
import { type RunningServer, startServer } from "../server/serve.ts";

/** A username no other test uses. */
export function randomUsername(prefix = "user"): string {
  return `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
}

export const TEST_PASSWORD = "correct horse battery";

/** Starts the real server on 127.0.0.1:0 (use with `await using`) with `:memory:` KV unless `env` says otherwise. */
export async function startTestServer(
  env: Record<string, string> = {},
): Promise<RunningServer & { config: AppConfig } & AsyncDisposable> {
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DENO_KV_PATH: ":memory:",
    LOG_REQUESTS: "0",
    ...env,
  });
  const server = await startServer(config, { quiet: true });
  return { ...server, config, [Symbol.asyncDispose]: () => server.shutdown() };
}

/** Statuses whose responses cannot carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A cookie-keeping HTTP client bound to one server, like one browser profile. */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** fetch() relative to the server, sending and storing cookies; never follows redirects. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set(
        "cookie",
        [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      );
    }
    const res = await fetch(new URL(path, this.baseUrl), {
      ...init,
      headers,
      redirect: "manual",
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const [name, value] = pair.split("=");
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.trim());
    }
    // An event stream never ends by itself: the test reads (and cancels) it as it goes.
    if (/^text\/event-stream/i.test(res.headers.get("content-type") ?? "")) {
      return res;
    }
    // The whole body is read here, as a browser would: a test that looks only at the status
    // or headers leaves no body open (Deno 2.5's test sanitizer fails a test for that).
    const body = res.body && !NULL_BODY_STATUSES.has(res.status)
      ? await res.arrayBuffer()
      : null;
    return new Response(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  }

  /** Posts a urlencoded form, as a browser's same-origin form submit would. */
  postForm(
    path: string,
    fields: Record<string, string>,
    headers: HeadersInit = {},
  ) {
    return this.fetch(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: new URLSearchParams(fields),
    });
  }

  /** Posts JSON. */
  postJson(path: string, body: unknown, headers: HeadersInit = {}) {
    return this.fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  /** Registers (and so logs in) a new account; throws unless the server answers 303. */
  async register(
    username = randomUsername(),
    password = TEST_PASSWORD,
  ): Promise<string> {
    const res = await this.postForm("/register", {
      username,
      password,
      password_confirm: password,
    });
    await res.body?.cancel();
    if (res.status !== 303) {
      throw new Error(`register ${username}: HTTP ${res.status}`);
    }
    return username;
  }

  /** Logs in; returns the response (303 on success). */
  async login(
    username: string,
    password = TEST_PASSWORD,
    next?: string,
  ): Promise<Response> {
    const res = await this.postForm("/login", {
      username,
      password,
      ...(next ? { next } : {}),
    });
    await res.body?.cancel();
    return res;
  }
}

/** The messages API path for the conversation with `peer`. */
export function messagesPath(peer: string): string {
  return `/api/conversations/${encodeURIComponent(peer)}/messages`;
}

/** Two freshly registered people, each with their own cookie jar. */
export async function registerPair(url: string) {
  const alice = new TestClient(url);
  const bob = new TestClient(url);
  const aliceName = await alice.register(randomUsername("Alice"));
  const bobName = await bob.register(randomUsername("Bob"));
  return { alice, bob, aliceName, bobName };
}
