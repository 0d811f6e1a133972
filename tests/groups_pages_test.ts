import assert from "node:assert/strict";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";

async function people(url: string, n: number) {
  return await Promise.all(Array.from({ length: n }, async () => {
    const client = new TestClient(url);
    const name = await client.register(randomUsername("p"));
    return { client, name };
  }));
}

Deno.test("/groups/new works without JavaScript: 303 to the group's page, mistakes re-render with 422", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol] = await people(server.url, 3);
  const form = await alice.client.fetch("/groups/new");
  assert.equal(form.status, 200);
  assert.match(await form.text(), /name="members"/);
  const bad = await alice.client.postForm("/groups/new", {
    name: "Trip",
    members: `${bob.name}, nobody_at_all`,
  });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /nobody_at_all/);
  assert.match(badHtml, /Trip/, "the form keeps what was typed");
  const empty = await alice.client.postForm("/groups/new", {
    name: " ",
    members: "",
  });
  assert.equal(empty.status, 422);
  const created = await alice.client.postForm("/groups/new", {
    name: "Trip",
    members: `${bob.name} ${carol.name}`,
  });
  assert.equal(created.status, 303);
  const location = created.headers.get("location")!;
  assert.match(location, /^\/groups\/[0-9a-f-]{36}$/);
  const page = await bob.client.fetch(location);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h1 id="chat-title">Trip<\/h1>/);
  assert.match(html, new RegExp(`${alice.name} created the group`));
  assert.match(html, /3 members/);
});

Deno.test("the group page: no-JS send shows the sender's name to others; admins' forms; leaving; outsiders get 404", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol, eve] = await people(server.url, 4);
  const res = await alice.client.postJson("/api/groups", {
    name: "Team",
    members: [bob.name],
  });
  const { id } = (await res.json()).conversation;
  const path = `/groups/${id}`;
  assert.equal((await eve.client.fetch(path)).status, 404);
  assert.equal((await eve.client.postForm(path, { text: "hi" })).status, 404);
  assert.equal(
    (await eve.client.fetch(`/groups/${crypto.randomUUID()}`)).status,
    404,
  );
  const sent = await alice.client.postForm(path, { text: "hello team" });
  assert.equal(sent.status, 303);
  assert.equal(sent.headers.get("location"), path);
  const bobs = await (await bob.client.fetch(path)).text();
  assert.match(bobs, /2 unread messages/, "the creation and alice's message");
  assert.match(
    bobs,
    new RegExp(`class="sender hue-\\d" aria-hidden="true">${alice.name}<`),
  );
  assert.match(bobs, /hello team/);
  assert.doesNotMatch(
    bobs,
    /name="intent" value="add"/,
    "members see no admin forms",
  );
  const alices = await (await alice.client.fetch(path)).text();
  assert.match(alices, /name="intent" value="add"/);
  assert.doesNotMatch(
    alices,
    new RegExp(`class="sender[^"]*"[^>]*>${alice.name}<`),
    "no name on my own bubbles",
  );
  const refused = await bob.client.postForm(path, {
    intent: "add",
    username: carol.name,
  });
  assert.equal(refused.status, 403);
  const added = await alice.client.postForm(path, {
    intent: "add",
    username: carol.name,
  });
  assert.equal(added.status, 303);
  const renamed = await alice.client.postForm(path, {
    intent: "rename",
    name: "Team 2",
  });
  assert.equal(renamed.status, 303);
  const left = await bob.client.postForm(path, { intent: "leave" });
  assert.equal(left.status, 303);
  assert.equal(left.headers.get("location"), "/users");
  assert.equal((await bob.client.fetch(path)).status, 404);
  const carols = await (await carol.client.fetch(path)).text();
  assert.match(carols, /Team 2/);
  assert.match(carols, new RegExp(`${bob.name} left`));
  const list = await (await carol.client.fetch("/users")).text();
  assert.match(list, new RegExp(`href="${path}"`));
});
