/**
 * Types of our small Fresh-style runtime. Route modules look like Fresh's: they export
 * `handler` (a function, or an object of functions by method) and/or a default page.
 */
import type { ComponentType } from "preact";

/** What a handler or middleware receives. `State` is the app's per-request state. */
export interface RouteContext<State, Data = unknown> {
  req: Request;
  url: URL;
  params: Record<string, string>;
  state: State;
  /** Renders the route's page (inside `_app`) with `data`. */
  render(data?: Data, init?: ResponseInit): Promise<Response>;
  /** In middleware: runs the rest of the chain and returns its response. */
  next(): Promise<Response>;
}

export type Handler<State, Data = unknown> = (
  ctx: RouteContext<State, Data>,
) => Response | Promise<Response>;

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type Handlers<State, Data = unknown> = Partial<
  Record<Method, Handler<State, Data>>
>;

export interface PageProps<State, Data = unknown> {
  data: Data;
  params: Record<string, string>;
  url: URL;
  state: State;
}

/** `routes/_app.tsx`'s default export renders the document around each page. */
export interface AppProps<State> {
  Component: ComponentType;
  state: State;
  url: URL;
  title: string;
}

export interface RouteModule {
  // deno-lint-ignore no-explicit-any
  handler?: Handler<any, any> | Handlers<any, any> | Handler<any, any>[];
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<any>;
  /** The page's document title: a string, or computed from the page's props. */
  // deno-lint-ignore no-explicit-any
  title?: string | ((props: PageProps<any, any>) => string);
}

export interface IslandModule {
  // deno-lint-ignore no-explicit-any
  default: ComponentType<any>;
}

/** The generated `fresh.gen.ts`: every route and island, imported statically. */
export interface Manifest {
  routes: Record<string, RouteModule>;
  islands: Record<string, IslandModule>;
  baseUrl: string;
}
