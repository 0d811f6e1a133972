import assert from "node:assert/strict";
import { jpegWithGps, pdf } from "./attachment_fixtures.ts";
import { randomUsername, startTestServer, TestClient } from "./helpers.ts";

interface Att {
  id: string;
  name: string;
  type: string;
  url: string;
  thumbnailUrl?: string;
}

async function people(url: string, n: number) {
  return await Promise.all(Array.from({ length: n }, async () => {
    const client = new TestClient(url);
    const name = await client.register(randomUsername("a"));
    return { client, name };
  }));
}

function uploadTo(
  client: TestClient,
  gid: string,
  bytes: Uint8Array,
  name: string,
) {
  const form = new FormData();
  form.append("file", new File([bytes as BlobPart], name));
  return client.fetch(`/api/groups/${gid}/attachments`, {
    method: "POST",
    body: form,
  });
}

async function status(client: TestClient, path: string) {
  const res = await client.fetch(path);
  await res.body?.cancel();
  return res.status;
}

Deno.test("group attachments: upload, send, URLs under the group, members only (404 to outsiders and the removed)", async () => {
  await using server = await startTestServer();
  const [alice, bob, carol, eve] = await people(server.url, 4);
  const created = await alice.client.postJson("/api/groups", {
    name: "Photos",
    members: [bob.name, carol.name],
  });
  const gid = (await created.json()).conversation.id as string;

  const up = await uploadTo(
    alice.client,
    gid,
    await jpegWithGps(400, 300),
    "p.jpg",
  );
  assert.equal(up.status, 201);
  const photo = (await up.json()).attachment as Att;
  assert.equal(photo.type, "image/jpeg");
  const up2 = await uploadTo(alice.client, gid, pdf(), "doc.pdf");
  const doc = (await up2.json()).attachment as Att;

  // An outsider cannot upload; another member cannot send alice's upload.
  assert.equal((await uploadTo(eve.client, gid, pdf(), "x.pdf")).status, 404);
  const stolen = await bob.client.postJson(`/api/groups/${gid}/messages`, {
    text: "",
    attachments: [photo.id],
  });
  assert.equal(stolen.status, 422);
  await stolen.body?.cancel();

  const sent = await alice.client.postJson(`/api/groups/${gid}/messages`, {
    text: "look",
    attachments: [photo.id, doc.id],
  });
  assert.equal(sent.status, 201);
  const message = (await sent.json()).message;
  const [p, d] = message.attachments as Att[];
  assert.equal(p.url, `/api/groups/${gid}/attachments/${photo.id}`);
  assert.equal(p.thumbnailUrl, `${p.url}/thumbnail`);
  assert.equal(d.url, `/api/groups/${gid}/attachments/${doc.id}`);

  // Bob sees the same URLs in his history and can fetch them.
  const history = await (await bob.client.fetch(`/api/groups/${gid}/messages`))
    .json();
  const seen = history.messages.find((m: { id: string }) =>
    m.id === message.id
  );
  assert.equal(seen.attachments[0].url, p.url);
  const file = await bob.client.fetch(p.url);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get("content-type"), "image/jpeg");
  await file.body?.cancel();
  assert.equal(await status(bob.client, p.thumbnailUrl!), 200);
  const pdfRes = await carol.client.fetch(d.url);
  assert.equal(pdfRes.status, 200);
  assert.match(pdfRes.headers.get("content-disposition") ?? "", /^attachment/);
  await pdfRes.body?.cancel();

  // Outsiders, the signed-out and a removed member get 404 on every URL.
  for (const url of [p.url, p.thumbnailUrl!, d.url]) {
    assert.equal(await status(eve.client, url), 404, url);
    assert.equal(await status(new TestClient(server.url), url), 404, url);
  }
  const removed = await alice.client.fetch(
    `/api/groups/${gid}/members/${carol.name}`,
    { method: "DELETE" },
  );
  assert.equal(removed.status, 204);
  for (const url of [p.url, p.thumbnailUrl!, d.url]) {
    assert.equal(await status(carol.client, url), 404, url);
  }
  assert.equal((await uploadTo(carol.client, gid, pdf(), "x.pdf")).status, 404);
});

Deno.test("a member added later cannot fetch the files of messages from before they joined", async () => {
  await using server = await startTestServer();
  const [alice, bob, dave] = await people(server.url, 3);
  const created = await alice.client.postJson("/api/groups", {
    name: "Files",
    members: [bob.name],
  });
  const gid = (await created.json()).conversation.id as string;
  const doc = (await (await uploadTo(alice.client, gid, pdf(), "old.pdf"))
    .json()).attachment as Att;
  const sent = await alice.client.postJson(`/api/groups/${gid}/messages`, {
    text: "",
    attachments: [doc.id],
  });
  const url = (await sent.json()).message.attachments[0].url as string;
  const add = await alice.client.postJson(`/api/groups/${gid}/members`, {
    username: dave.name,
  });
  assert.equal(add.status, 200);
  await add.body?.cancel();
  assert.equal(await status(bob.client, url), 200);
  assert.equal(await status(dave.client, url), 404);
  // An unsent upload is its owner's alone.
  const draft = (await (await uploadTo(alice.client, gid, pdf(), "draft.pdf"))
    .json()).attachment as Att;
  const draftUrl = `/api/groups/${gid}/attachments/${draft.id}`;
  assert.equal(await status(alice.client, draftUrl), 200);
  assert.equal(await status(bob.client, draftUrl), 404);
});

Deno.test("a large file uploads to a group (streamed, not under the small body limit), and the no-JS form takes a file", async () => {
  await using server = await startTestServer();
  const [alice, bob] = await people(server.url, 2);
  const created = await alice.client.postJson("/api/groups", {
    name: "Big",
    members: [bob.name],
  });
  const gid = (await created.json()).conversation.id as string;
  const big = new Uint8Array(300 * 1024);
  big.set(pdf());
  const up = await uploadTo(alice.client, gid, big, "big.pdf");
  assert.equal(up.status, 201, await up.clone().text());
  assert.equal((await up.json()).attachment.size, big.length);

  const form = new FormData();
  form.append("text", "the report");
  form.append("file", new File([big as BlobPart], "report.pdf"));
  const posted = await alice.client.fetch(`/groups/${gid}`, {
    method: "POST",
    body: form,
  });
  assert.equal(posted.status, 303);
  await posted.body?.cancel();
  const history = await (await bob.client.fetch(`/api/groups/${gid}/messages`))
    .json();
  const last = history.messages.at(-1);
  assert.equal(last.text, "the report");
  assert.equal(last.attachments[0].name, "report.pdf");
  assert.match(last.attachments[0].url, new RegExp(`^/api/groups/${gid}/`));
  assert.equal(await status(bob.client, last.attachments[0].url), 200);
  // Plain text through the same form still works.
  const text = await alice.client.fetch(`/groups/${gid}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "text=plain",
  });
  assert.equal(text.status, 303);
  await text.body?.cancel();
});
