import assert from "node:assert/strict";
import { Hono } from "hono";
import type { State } from "../state.ts";
import { noStore } from "./no_store.ts";

/** An app with noStore() behind a state middleware, signed in as `user` when given. */
function appWith(user?: State["user"]) {
  const app = new Hono<{ Variables: { state: State } }>();
  // Only `user` matters to noStore(); the rest of State is the real app's business.
  app.use("*", async (c, next) => {
    c.set("state", { user } as State);
    await next();
  });
  app.use("*", noStore());
  app.get("/api/conversations", (c) => c.json({ conversations: [] }));
  app.get("/api/cached", (c) => {
    c.header("cache-control", "public, max-age=60");
    return c.json({});
  });
  app.get("/api", (c) => c.json({}));
  app.get("/apiary", (c) => c.text("bees"));
  app.get("/users", (c) => c.html("<p>users</p>"));
  app.get("/styles.css", (c) => {
    c.header("cache-control", "public, max-age=300");
    return c.text("body{}");
  });
  return app;
}

async function cacheControl(
  app: ReturnType<typeof appWith>,
  path: string,
): Promise<string | null> {
  const res = await app.request(path);
  await res.body?.cancel();
  return res.headers.get("cache-control");
}

Deno.test("every /api answer gets no-store, signed in or not, 404s and routes' own caching included", async () => {
  for (const app of [appWith(), appWith({ id: "u1", username: "alice" })]) {
    for (
      const path of [
        "/api",
        "/api/conversations",
        "/api/cached",
        "/api/nothing-here",
      ]
    ) {
      assert.equal(await cacheControl(app, path), "no-store", path);
    }
  }
});

Deno.test("a signed-in page gets no-store unless it chose its own caching", async () => {
  const app = appWith({ id: "u1", username: "alice" });
  assert.equal(await cacheControl(app, "/users"), "no-store");
  assert.equal(await cacheControl(app, "/apiary"), "no-store");
  assert.equal(await cacheControl(app, "/nothing-here"), "no-store");
  assert.equal(
    await cacheControl(app, "/styles.css"),
    "public, max-age=300",
  );
});

Deno.test("anonymous pages outside /api are left to their own caching", async () => {
  const app = appWith();
  assert.equal(await cacheControl(app, "/users"), null);
  assert.equal(await cacheControl(app, "/apiary"), null);
  assert.equal(
    await cacheControl(app, "/styles.css"),
    "public, max-age=300",
  );
});
