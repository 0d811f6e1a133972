/**
 * Mounts a manifest's file routes on a Hono app: `_middleware` files as Hono middleware
 * for their folder, each route as one handler that dispatches by method, and pages
 * rendered with Preact inside `_app`, with script tags for the islands they used.
 */
import type { Context, Hono } from "hono";
import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { BuildInfo } from "./build_info.ts";
import { collectIslands, registerIslands } from "./island.ts";
import {
  compareRoutes,
  islandName,
  routePattern,
  specialName,
} from "./routes.ts";
import type {
  AppProps,
  Handler,
  Handlers,
  Manifest,
  Method,
  PageProps,
  RouteContext,
  RouteModule,
} from "../types.ts";

// deno-lint-ignore no-explicit-any
type AnyHono = Hono<any>;
const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Where island bundles are served from. */
export const ISLANDS_URL_PREFIX = "/_fresh/islands";

export interface RenderOptions<State> {
  build: BuildInfo;
  app?: ComponentType<AppProps<State>>;
}

/** Renders a page component inside `_app` to a full HTML response. */
export function renderPage<State>(
  options: RenderOptions<State>,
  page: {
    component: ComponentType<PageProps<State>>;
    title?: RouteModule["title"];
  },
  props: PageProps<State>,
  init: ResponseInit = {},
): Response {
  const title = typeof page.title === "function"
    ? page.title(props)
    : page.title ?? "";
  const Component = () => h(page.component, props);
  const App = options.app;
  const { result, islands } = collectIslands(() =>
    renderToString(
      App
        ? h(App as ComponentType<AppProps<State>>, {
          Component,
          state: props.state,
          url: props.url,
          title,
        }) as VNode
        : h(Component, {}),
    )
  );
  const scripts = [...islands].map((name) => {
    const file = options.build.islands[name];
    return `<script type="module" src="${ISLANDS_URL_PREFIX}/${file}"></script>`;
  }).join("");
  const html = result.includes("</body>")
    ? result.replace("</body>", `${scripts}</body>`)
    : result + scripts;
  const headers = new Headers(init.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  return new Response(`<!DOCTYPE html>${html}`, { ...init, headers });
}

function makeContext<State>(
  c: Context,
  params: Record<string, string>,
  render: RouteContext<State>["render"],
  next: RouteContext<State>["next"],
): RouteContext<State> {
  return {
    req: c.req.raw,
    url: new URL(c.req.url),
    params,
    state: c.get("state") as State,
    render,
    next,
  };
}

function dispatch<State>(
  mod: RouteModule,
  method: string,
): Handler<State> | null {
  const handler = mod.handler;
  const effective = method === "HEAD" ? "GET" : method as Method;
  if (typeof handler === "function") return handler as Handler<State>;
  const byMethod = (handler ?? {}) as Handlers<State>;
  if (byMethod[effective]) return byMethod[effective]!;
  if (effective === "GET" && mod.default) return (ctx) => ctx.render();
  return null;
}

function allowedMethods(mod: RouteModule): string {
  if (typeof mod.handler === "function") return METHODS.join(", ");
  const methods = METHODS.filter((m) =>
    (mod.handler as Handlers<unknown>)?.[m]
  );
  if (mod.default && !methods.includes("GET")) methods.unshift("GET");
  return methods.join(", ");
}

/**
 * Registers islands, middleware and routes from the manifest on `app`. Per-request state
 * must already be set on the Hono context as `state` by an earlier middleware.
 */
export function mountManifest<State>(
  app: AnyHono,
  manifest: Manifest,
  options: {
    build: BuildInfo;
    /** Builds the 405 for a method a route lacks (the app answers JSON under its API). */
    methodNotAllowed?: (c: Context, allow: string) => Response;
  },
): {
  render: (
    page: ComponentType<PageProps<State>>,
    props: PageProps<State>,
    init?: ResponseInit,
    title?: string,
  ) => Response;
} {
  registerIslands(
    new Map(
      Object.entries(manifest.islands).map((
        [file, mod],
      ) => [islandName(file), mod.default]),
    ),
  );
  const files = Object.entries(manifest.routes);
  const appModule = files.find(([f]) => f === "./routes/_app.tsx")?.[1];
  const renderOptions: RenderOptions<State> = {
    build: options.build,
    app: appModule?.default as ComponentType<AppProps<State>> | undefined,
  };

  // Middleware, outermost folder first.
  const middleware = files.filter(([f]) => specialName(f) === "_middleware")
    .sort(([a], [b]) => a.split("/").length - b.split("/").length);
  for (const [file, mod] of middleware) {
    const folder = file.replace(/\/_middleware\.tsx?$/, "").replace(
      /^\.\/routes/,
      "",
    );
    const handlers = ([] as Handler<State>[]).concat(
      mod.handler as Handler<State> | Handler<State>[],
    );
    for (const handler of handlers) {
      app.use(folder === "" ? "*" : `${folder}/*`, async (c, next) => {
        const ctx = makeContext<State>(
          c,
          c.req.param() as Record<string, string>,
          () => {
            throw new Error("Middleware cannot render a page");
          },
          async () => {
            await next();
            return c.res;
          },
        );
        return await handler(ctx);
      });
    }
  }

  const routes = files.filter(([f]) => specialName(f) === null)
    .map(([file, mod]) => ({ pattern: routePattern(file), mod }))
    .sort((a, b) => compareRoutes(a.pattern, b.pattern));
  for (const { pattern, mod } of routes) {
    app.all(pattern, async (c) => {
      const handler = dispatch<State>(mod, c.req.method);
      if (!handler) {
        const allow = allowedMethods(mod);
        if (options.methodNotAllowed) {
          return options.methodNotAllowed(c, allow);
        }
        return new Response("Method Not Allowed", {
          status: 405,
          headers: { allow },
        });
      }
      const params = c.req.param() as Record<string, string>;
      const ctx: RouteContext<State> = makeContext<State>(
        c,
        params,
        (data, init) => {
          if (!mod.default) {
            throw new Error(`Route ${pattern} has no page to render`);
          }
          return Promise.resolve(renderPage(
            renderOptions,
            {
              component: mod.default,
              title: mod.title,
            },
            { data, params, url: ctx.url, state: ctx.state },
            init,
          ));
        },
        () => Promise.reject(new Error("Routes have no next handler")),
      );
      const res = await handler(ctx);
      return c.req.method === "HEAD" ? new Response(null, res) : res;
    });
  }

  return {
    render: (page, props, init, title) =>
      renderPage(renderOptions, { component: page, title }, props, init),
  };
}
