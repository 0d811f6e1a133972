import assert from "node:assert/strict";
import {
  messagesPath,
  randomUsername,
  startTestServer,
  TestClient,
} from "./helpers.ts";

const api = messagesPath;

Deno.test("GET /users lists my conversations newest first with previews; others only by search", async () => {
  await using server = await startTestServer();
  const me = new TestClient(server.url);
  const myName = await me.register(randomUsername("me"));
  const names = ["zoe", "quiet", "amy"].map((n) => randomUsername(n));
  const peers = await Promise.all(names.map(async (name) => {
    const c = new TestClient(server.url);
    await c.register(name);
    return c;
  }));
  await peers[0].postJson(api(myName), { text: "older from zoe" });
  await me.postJson(api(names[2]), { text: "newest <i>to amy</i>" });
  const res = await me.fetch("/users");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  const html = await res.text();
  const order = [...html.matchAll(/class="user-name">([^<]+)</g)].map((m) =>
    m[1]
  );
  assert.deepEqual(order, [names[2], names[0]]);
  assert.ok(!order.includes(myName), "I am not in my own list");
  assert.match(html, /You: newest &lt;i>to amy&lt;\/i>/);
  assert.match(html, /older from zoe/);
  assert.match(
    html,
    /class="badge" aria-hidden="true">1<\/span><span class="sr-only">1 unread<\/span>/,
  );
  assert.match(html, /role="search"/);
  const found = await (await me.fetch(`/users?q=${names[1].slice(0, 7)}`))
    .text();
  assert.match(found, new RegExp(`href="/chat/${names[1]}"`));
});

Deno.test("GET /chat/:username renders the header, the latest 50 messages and the island", async () => {
  await using server = await startTestServer();
  const alice = new TestClient(server.url);
  const bob = new TestClient(server.url);
  const aliceName = await alice.register(randomUsername("alice"));
  const bobName = await bob.register(randomUsername("bob"));
  for (let i = 1; i <= 52; i++) {
    await (i % 2 ? alice : bob).postJson(api(i % 2 ? bobName : aliceName), {
      text: `msg ${i}`,
    });
  }
  const last = await (await bob.postJson(api(aliceName), {
    text: "</script><script>alert(1)</script> & <b>x</b>",
  })).json();
  // All read: the chat opens at the newest page (an unread run opens at its start).
  await (await alice.postJson(`/api/conversations/${bobName}/read`, {
    upTo: last.message.id,
  })).body?.cancel();
  const res = await alice.fetch(`/chat/${bobName.toUpperCase()}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, new RegExp(`<h1 id="chat-title">${bobName}</h1>`));
  const bubbles = [...html.matchAll(/<li class="msg (mine|theirs)"/g)];
  assert.equal(bubbles.length, 50);
  assert.ok(!html.includes("msg 3<"), "only the latest 50 are rendered");
  assert.match(
    html,
    /<li class="msg mine"[^>]*><div class="bubble"><p class="text">msg 51</,
  );
  assert.match(
    html,
    /<li class="msg theirs"[^>]*><div class="bubble"><p class="text">msg 52</,
  );
  assert.match(html, /data-island="ChatWindow"/);
  assert.match(
    html,
    /<script type="module" src="\/_fresh\/islands\/[0-9a-f]+\/ChatWindow\.js"><\/script>/,
  );
  assert.match(html, /role="log"/);
  assert.match(html, /<textarea[^>]*name="text"/);
  assert.match(html, /<label for="message-text"[^>]*>Message<\/label>/);
  assert.match(html, />Send<\/button>/);
  // User text never reaches the HTML with a raw "<": not in markup, not in island props.
  assert.ok(!html.includes("<script>alert(1)"));
  const islandProps = [...html.matchAll(
    /<script type="application\/json" data-island-props="[^"]+">([^]*?)<\/script>/g,
  )].map((m) => m[1]);
  assert.ok(islandProps.length > 0);
  for (const p of islandProps) assert.ok(!p.includes("<"), "props escape <");
  const chat = islandProps.map((p) => JSON.parse(p)).find((p) =>
    p.initialMessages
  );
  assert.equal(
    chat.initialMessages.at(-1).text,
    "</script><script>alert(1)</script> & <b>x</b>",
  );
});

Deno.test("GET /chat/:username is a 404 page for an unknown partner or oneself", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const me = await client.register();
  for (const path of ["/chat/no_such_person", `/chat/${me}`]) {
    const res = await client.fetch(path);
    assert.equal(res.status, 404);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await res.text(), /Not found/);
  }
});

Deno.test("the chat form works without JavaScript: post, 303 back, message shown", async () => {
  await using server = await startTestServer();
  const alice = new TestClient(server.url);
  const bob = new TestClient(server.url);
  const aliceName = await alice.register();
  const bobName = await bob.register();
  const res = await alice.postForm(`/chat/${bobName}`, { text: "no js here" }, {
    origin: server.url,
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), `/chat/${bobName}`);
  const page = await (await bob.fetch(`/chat/${aliceName}`)).text();
  assert.match(page, /<p class="text">no js here<\/p>/);
  const empty = await alice.postForm(`/chat/${bobName}`, { text: "   " });
  assert.equal(empty.status, 422);
  assert.match(await empty.text(), /must not be empty/);
  const evil = await alice.postForm(`/chat/${bobName}`, { text: "csrf" }, {
    origin: "https://evil.example",
  });
  assert.equal(evil.status, 403);
  await evil.body?.cancel();
});

Deno.test("unknown pages are HTML 404s, unknown API paths JSON 404s, wrong methods 405", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const peer = await new TestClient(server.url).register();
  await client.register();
  const page = await client.fetch("/nope");
  assert.equal(page.status, 404);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  await page.body?.cancel();
  const apiRes = await client.fetch("/api/nope");
  assert.equal(apiRes.status, 404);
  assert.equal((await apiRes.json()).error.code, "not_found");
  const put = await client.fetch("/login", { method: "PUT" });
  assert.equal(put.status, 405);
  assert.match(put.headers.get("allow") ?? "", /GET, POST/);
  await put.body?.cancel();
  const apiPut = await client.fetch(messagesPath(peer), { method: "PUT" });
  assert.equal(apiPut.status, 405);
  assert.equal(apiPut.headers.get("allow"), "GET, POST");
  const body = await apiPut.json();
  assert.equal(body.error.code, "method_not_allowed");
  assert.deepEqual(body.error.details, { allow: ["GET", "POST"] });
  const stranger = await new TestClient(server.url).fetch("/api/nope");
  assert.ok(stranger.status === 401 || stranger.status === 404);
  assert.ok((await stranger.json()).error.code);
});

Deno.test("GET / sends visitors to /login and members to /users", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  let res = await client.fetch("/");
  assert.equal(res.headers.get("location"), "/login");
  await client.register();
  res = await client.fetch("/");
  assert.equal(res.headers.get("location"), "/users");
});

Deno.test("static files and island bundles are served to anyone", async () => {
  await using server = await startTestServer();
  const client = new TestClient(server.url);
  const css = await client.fetch("/styles.css");
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type") ?? "", /text\/css/);
  await css.body?.cancel();
  const other = new TestClient(server.url);
  const peer = await other.register();
  await client.register();
  const html = await (await client.fetch(`/chat/${peer}`)).text();
  const src = html.match(/src="(\/_fresh\/islands\/[^"]+)"/)?.[1];
  assert.ok(src);
  const js = await new TestClient(server.url).fetch(src);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("content-type") ?? "", /javascript/);
  assert.match(js.headers.get("cache-control") ?? "", /immutable/);
  await js.body?.cancel();
});
