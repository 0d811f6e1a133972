/**
 * Fuzzes every page route from fresh.gen.ts (GET with hostile path parameters, query and
 * cookies; POST with hostile forms; odd methods) against the real server.
 */
import fc from "fast-check";
import {
  encodeAny,
  hostileContentType,
  hostileCookie,
  hostileFormBody,
  hostileString,
  hostileUrlPart,
} from "./arbitraries.ts";
import {
  assertStillUp,
  check,
  fuzz,
  type FuzzServer,
  send,
  startFuzzServer,
} from "./harness.ts";

/** Every page route in fresh.gen.ts, with `:param` where the URL takes one. */
const PAGE_ROUTES = [
  "/",
  "/login",
  "/register",
  "/users",
  "/account",
  "/logout",
  "/chat/:username",
  "/auth/:provider/signin",
  "/auth/:provider/callback",
  "/auth/:provider/unlink",
];

const QUERY_NAMES = [
  "next",
  "linked",
  "unlinked",
  "link",
  "state",
  "code",
  "error",
  "after",
];

/** A path parameter: the real peer or provider sometimes, else hostile. */
function paramFor(server: FuzzServer) {
  return fc.oneof(
    fc.constantFrom(server.bobName, "oidc", "github"),
    hostileUrlPart,
  );
}

function fill(route: string, param: string): string {
  return route.replace(/:[a-z]+/, param || "x");
}

const query = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom(...QUERY_NAMES), hostileString),
    hostileUrlPart,
  ),
  { maxLength: 3 },
).map((pairs) =>
  pairs.length === 0
    ? ""
    : `?${pairs.map(([k, v]) => `${encodeAny(k)}=${v}`).join("&")}`
);

/** Signed out, signed in as Alice, or a hostile cookie (with or without her session). */
function cookieFor(server: FuzzServer) {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(server.aliceCookie),
    hostileCookie,
    hostileCookie.map((c) => `${server.aliceCookie}; ${c}`),
  );
}

Deno.test("fuzz: GET on every page route with hostile parameters, query and cookies never 5xx", async () => {
  await using server = await startFuzzServer();
  await fuzz(
    "pages GET",
    [
      fc.constantFrom(...PAGE_ROUTES),
      paramFor(server),
      query,
      cookieFor(server),
    ],
    async (route, param, search, cookie) => {
      const path = fill(route, param) + search;
      await check(server, `GET ${path}`, () => send(server, path, { cookie }));
    },
  );
  await assertStillUp(server);
});

Deno.test("fuzz: form posts to every page route with hostile fields never 5xx and store nothing when refused", async () => {
  await using server = await startFuzzServer();
  const forms: Record<string, string[]> = {
    "/login": ["username", "password", "next"],
    "/register": ["username", "password", "password_confirm"],
    "/logout": ["x"],
    "/chat/:username": ["text"],
    "/auth/:provider/unlink": ["x"],
  };
  const post = fc.constantFrom(...Object.keys(forms)).chain((route) =>
    fc.tuple(
      fc.constant(route),
      hostileFormBody(forms[route]),
      hostileContentType,
    )
  );
  await fuzz(
    "pages POST",
    [post, paramFor(server), cookieFor(server)],
    async ([route, body, type], param, cookie) => {
      const path = fill(route, param);
      await check(
        server,
        `POST ${path} (${type}) ${JSON.stringify(body).slice(0, 200)}`,
        () =>
          send(server, path, {
            method: "POST",
            cookie,
            headers: type ? { "content-type": type } : {},
            body,
          }),
      );
    },
  );
  await assertStillUp(server);
});

Deno.test("fuzz: odd methods on every route answer 4xx, never 5xx", async () => {
  await using server = await startFuzzServer();
  await fuzz(
    "odd methods",
    [
      fc.constantFrom(...PAGE_ROUTES, "/api/conversations/:username/messages"),
      paramFor(server),
      fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "POST"),
      cookieFor(server),
    ],
    async (route, param, method, cookie) => {
      const path = fill(route, param);
      await check(
        server,
        `${method} ${path}`,
        () => send(server, path, { method, cookie }),
      );
    },
    30,
  );
  await assertStillUp(server);
});
