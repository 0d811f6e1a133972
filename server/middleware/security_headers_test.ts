import assert from "node:assert/strict";
import { Hono } from "hono";
import { DomainError } from "../../lib/errors.ts";
import { asDomainError } from "../errors.ts";
import { jsonError } from "../http.ts";
import type { State } from "../state.ts";
import { HSTS, securityHeaders } from "./security_headers.ts";

/** An app with securityHeaders() behind a state middleware saying whether the request is https. */
function appWith(secure: boolean) {
  const app = new Hono<{ Variables: { state: State } }>();
  app.onError((err) => jsonError(asDomainError(err)));
  // Only `secure` matters to securityHeaders(); the rest of State is the real app's business.
  app.use("*", async (c, next) => {
    c.set("state", { secure } as State);
    await next();
  });
  app.use("*", securityHeaders());
  app.get("/", (c) => c.html("<p>hi</p>"));
  app.get("/broken", () => {
    throw new DomainError("conflict", "taken", "Taken");
  });
  return app;
}

/** The CSP's directives by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((part) => part.trim()).filter(Boolean).map((part) => {
      const [name, ...values] = part.split(/\s+/);
      return [name, values];
    }),
  );
}

Deno.test("the CSP allows scripts and styles from the site only: nothing inline, no eval, no framing", async () => {
  const res = await appWith(false).request("/");
  await res.body?.cancel();
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  const byName = directives(csp);
  assert.deepEqual(byName.get("default-src"), ["'self'"]);
  assert.deepEqual(byName.get("script-src"), ["'self'"]);
  assert.deepEqual(byName.get("style-src"), ["'self'"]);
  assert.deepEqual(byName.get("frame-ancestors"), ["'none'"]);
  assert.deepEqual(byName.get("object-src"), ["'none'"]);
  assert.deepEqual(byName.get("base-uri"), ["'none'"]);
  assert.deepEqual(byName.get("form-action"), ["'self'"]);
});

Deno.test("the referrer policy keeps the Origin of same-origin posts, and content types are not sniffed", async () => {
  const res = await appWith(false).request("/");
  await res.body?.cancel();
  assert.equal(
    res.headers.get("referrer-policy"),
    "strict-origin-when-cross-origin",
  );
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
});

Deno.test("HSTS is sent for a year only when the request came over https", async () => {
  const secure = await appWith(true).request("/");
  await secure.body?.cancel();
  assert.equal(secure.headers.get("strict-transport-security"), HSTS);
  assert.match(HSTS, /max-age=31536000/);
  const plain = await appWith(false).request("/");
  await plain.body?.cancel();
  assert.equal(plain.headers.get("strict-transport-security"), null);
});

Deno.test("error answers carry the same headers as any other", async () => {
  const res = await appWith(true).request("/broken");
  assert.equal(res.status, 409);
  await res.body?.cancel();
  assert.match(
    res.headers.get("content-security-policy") ?? "",
    /script-src 'self'/,
  );
  assert.equal(res.headers.get("strict-transport-security"), HSTS);
});
