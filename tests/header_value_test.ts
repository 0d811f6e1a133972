import assert from "node:assert/strict";
import { headerValue, isSafeRedirectPath, redirect } from "../server/http.ts";

/** True when `new Headers().set` accepts the value (Deno throws on bytes it cannot send). */
function acceptedAsHeader(value: string): boolean {
  try {
    new Headers().set("x-test", value);
    return true;
  } catch {
    return false;
  }
}

function assertSafe(input: string): void {
  const out = headerValue(input);
  assert.ok(acceptedAsHeader(out), `rejected: ${JSON.stringify(out)}`);
  assert.doesNotMatch(out, /[\r\n\0]/, `CR/LF/NUL in ${JSON.stringify(out)}`);
  assert.match(out, /^[\x20-\x7e]*$/);
}

Deno.test("headerValue() makes every single byte 0x00–0xFF a valid header value with no CR, LF or NUL", () => {
  for (let byte = 0; byte <= 0xff; byte++) {
    const char = String.fromCharCode(byte);
    assertSafe(char);
    assertSafe(`/a${char}b`);
    assertSafe(`${char}${char}/x${char}`);
  }
});

Deno.test("headerValue() makes lone surrogates, astral and non-Latin-1 characters valid header values", () => {
  const hostile = [
    "\ud800",
    "\udfff",
    "a\ud83d",
    "\ude00b",
    "😀",
    "🇺🇦",
    "\u2028\u2029",
    "\u0100",
    "Ꮶ",
    "\u212a",
    "\ufeff\u200b",
    "\uffff",
    "/%0D%0A\r\nSet-Cookie: x=1",
  ];
  for (const input of hostile) assertSafe(input);
  assert.equal(headerValue("\ud800"), "%EF%BF%BD");
});

Deno.test("headerValue() leaves visible ASCII and spaces unchanged and renders numbers", () => {
  const visible = Array.from(
    { length: 0x7f - 0x20 },
    (_, i) => String.fromCharCode(0x20 + i),
  ).join("");
  assert.equal(headerValue(visible), visible);
  assert.equal(headerValue(30), "30");
  assert.equal(headerValue("/chat/bob?x=1#y"), "/chat/bob?x=1#y");
});

Deno.test("redirect() never throws, whatever the location or header values", () => {
  for (let byte = 0; byte <= 0xff; byte++) {
    const char = String.fromCharCode(byte);
    const res = redirect(`/x${char}`, { "set-cookie": `a=${char}` });
    assert.equal(res.status, 303);
    assert.doesNotMatch(res.headers.get("location")!, /[\r\n\0]/);
  }
  assert.equal(redirect("/\ud800").headers.get("location"), "/%EF%BF%BD");
});

Deno.test("isSafeRedirectPath() admits only same-site paths of visible ASCII", () => {
  for (const ok of ["/", "/users", "/chat/bob?x=1", "/a/b#c", "/%2F%2Fx"]) {
    assert.ok(isSafeRedirectPath(ok), ok);
  }
  const refused = [
    undefined,
    "",
    "users",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\x7f",
    "/\0",
    "/é",
    "/\ud800",
    "https://evil.example",
    " /users",
  ];
  for (const bad of refused) assert.ok(!isSafeRedirectPath(bad), String(bad));
  for (let byte = 0; byte <= 0xff; byte++) {
    const visible = byte >= 0x21 && byte <= 0x7e;
    assert.equal(
      isSafeRedirectPath(`/a${String.fromCharCode(byte)}`),
      visible,
      `byte ${byte}`,
    );
  }
});
