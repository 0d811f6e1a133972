import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { linkify } from "../components/linkify.ts";
import { MessageText } from "../components/chat/MessageRows.tsx";

const links = (text: string) =>
  linkify(text).flatMap((s) => "href" in s ? [s.href] : []);

Deno.test("linkify() turns http and https URLs into links and leaves sentence punctuation outside", () => {
  assert.deepEqual(linkify("see https://example.com/a?b=1&c=2."), [
    { text: "see " },
    {
      text: "https://example.com/a?b=1&c=2",
      href: "https://example.com/a?b=1&c=2",
    },
    { text: "." },
  ]);
  assert.deepEqual(links("(https://en.wikipedia.org/wiki/Foo_(bar))"), [
    "https://en.wikipedia.org/wiki/Foo_(bar)",
  ]);
  assert.deepEqual(links("HTTP://Example.COM and http://a.b/c"), [
    "http://example.com/",
    "http://a.b/c",
  ]);
});

Deno.test("linkify() never makes a link of any other scheme or of a broken URL", () => {
  for (
    const hostile of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "//evil.example/path",
      "xhttps://evil.example",
      "https://",
      "http:// spaced.example",
      "ftp://files.example",
      "mailto:a@b.example",
      "javascript://%0aalert(1)",
      "https:/\\evil.example",
    ]
  ) {
    assert.deepEqual(links(hostile), [], hostile);
  }
});

Deno.test("linkify() keeps quotes and angle brackets out of a link", () => {
  assert.deepEqual(links('http://a.example"onmouseover=alert(1)'), [
    "http://a.example/",
  ]);
  assert.deepEqual(links("<a href='https://x.example'>x</a>"), [
    "https://x.example/",
  ]);
});

Deno.test("linkify() gives back the exact text for any input, and only http(s) links", () => {
  // A seeded generator over pieces that trip URL parsers, so a failure repeats.
  let seed = 20261201;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pieces = [
    "https://",
    "http://",
    "javascript:",
    "data:",
    "a.example",
    "/",
    "?q=1&x=<b>",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    " ",
    "\n",
    '"',
    "'",
    "<script>",
    "é",
    "🙂",
    "%0a",
    "@",
    ":80",
  ];
  for (let run = 0; run < 2000; run++) {
    const text = Array.from(
      { length: 1 + Math.floor(random() * 12) },
      () => pieces[Math.floor(random() * pieces.length)],
    ).join("");
    const segments = linkify(text);
    assert.equal(segments.map((s) => s.text).join(""), text, text);
    for (const s of segments) {
      if ("href" in s) assert.match(s.href, /^https?:\/\/[^\s"<>]+$/, text);
    }
  }
});

Deno.test("a message's links render with noopener, noreferrer, nofollow and a new tab, and its text stays escaped", () => {
  const html = renderToString(
    MessageText({
      text: "<b>hi</b> https://example.com/?a=1&b=2 javascript:alert(1)",
    }),
  );
  assert.equal(
    html,
    '<p class="text">&lt;b>hi&lt;/b> <a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">https://example.com/?a=1&amp;b=2</a> javascript:alert(1)</p>',
  );
});
