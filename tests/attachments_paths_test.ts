import assert from "node:assert/strict";
import { jpegWithGps, pdf, upload, uploadPath } from "./attachment_fixtures.ts";
import { messagesPath, registerPair, startTestServer } from "./helpers.ts";

async function waitFor(what: string, condition: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} never held`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function countKeys(kv: Deno.Kv, part: string): Promise<number> {
  let n = 0;
  for await (const e of kv.list({ prefix: [] })) {
    if (e.key.includes(part) || e.key[0] === part) n++;
  }
  return n;
}

Deno.test("inbox events and the chat page carry attachments; the page sizes thumbnails before they load", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const start = await (await bob.fetch("/api/events")).json();
  const res = await upload(
    alice,
    bobName,
    await jpegWithGps(640, 480),
    "p.jpg",
  );
  const { attachment } = await res.json();
  const sent = await alice.postJson(messagesPath(bobName), {
    text: "look",
    attachments: [attachment.id],
  });
  assert.equal(sent.status, 201);
  await sent.body?.cancel();
  const page = await (await bob.fetch(`/api/events?after=${start.cursor}`))
    .json();
  const event = page.events.find((e: { type: string }) => e.type === "message");
  assert.equal(event.message.attachments[0].id, attachment.id);
  assert.equal(
    event.message.attachments[0].url,
    `/api/conversations/${aliceName}/attachments/${attachment.id}`,
  );
  const html = await (await bob.fetch(`/chat/${aliceName}`)).text();
  assert.match(
    html,
    new RegExp(
      `<img src="/api/conversations/${aliceName}/attachments/${attachment.id}/thumbnail" alt="p.jpg" width="240" height="180"`,
    ),
  );
  // The chat list previews a message by its text, or by its first file's name.
  const list = await (await bob.fetch("/api/conversations")).json();
  assert.equal(list.conversations[0].lastMessage.text, "look");
});

Deno.test("without JavaScript the chat form posts a file with the text; an empty file input posts text only", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const form = new FormData();
  form.append("text", "the report");
  form.append("file", new File([pdf() as BlobPart], "report.pdf"));
  const posted = await alice.fetch(`/chat/${bobName}`, {
    method: "POST",
    body: form,
  });
  assert.equal(posted.status, 303);
  const onlyFile = new FormData();
  onlyFile.append("text", "");
  onlyFile.append("file", new File([pdf() as BlobPart], "second.pdf"));
  assert.equal(
    (await alice.fetch(`/chat/${bobName}`, { method: "POST", body: onlyFile }))
      .status,
    303,
  );
  const noFile = new FormData();
  noFile.append("text", "just text");
  noFile.append("file", new File([], ""));
  assert.equal(
    (await alice.fetch(`/chat/${bobName}`, { method: "POST", body: noFile }))
      .status,
    303,
  );
  const nothing = new FormData();
  nothing.append("text", " ");
  nothing.append("file", new File([], ""));
  assert.equal(
    (await alice.fetch(`/chat/${bobName}`, { method: "POST", body: nothing }))
      .status,
    422,
  );
  const messages = (await (await bob.fetch(messagesPath(aliceName))).json())
    .messages;
  assert.deepEqual(
    messages.map((m: { text: string; attachments: { name: string }[] }) => [
      m.text,
      m.attachments.map((a) => a.name),
    ]),
    [
      ["the report", ["report.pdf"]],
      ["", ["second.pdf"]],
      ["just text", []],
    ],
  );
  const list = await (await bob.fetch("/api/conversations")).json();
  assert.equal(list.conversations[0].lastMessage.text, "just text");
});

Deno.test("a dropped upload leaves nothing stored; what a crashed upload left is swept", async () => {
  await using server = await startTestServer();
  const { alice, aliceName, bobName } = await registerPair(server.url);
  const url = new URL(server.url);
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(url.port),
  });
  const cookie = [...alice.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const head = '--zzz\r\nContent-Disposition: form-data; name="file"; ' +
    'filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n';
  await conn.write(new TextEncoder().encode(
    `POST ${
      uploadPath(bobName)
    } HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${cookie}\r\n` +
      `Content-Type: multipart/form-data; boundary=zzz\r\n` +
      `Content-Length: ${5 * 1024 * 1024}\r\n\r\n${head}`,
  ));
  // Enough bytes for several chunk batches to be stored, then the connection drops.
  for (let i = 0; i < 16; i++) await conn.write(new Uint8Array(64 * 1024));
  await waitFor(
    "chunks are stored",
    async () => await countKeys(server.db.kv, "attachment_chunks") > 0,
  );
  conn.close();
  await waitFor(
    "the half upload is removed",
    async () =>
      await countKeys(server.db.kv, "attachment_chunks") === 0 &&
      await countKeys(server.db.kv, "attachment_uploads") === 0,
  );
  assert.equal(await countKeys(server.db.kv, "attachments"), 0);

  // A process killed mid-upload leaves its marker and chunks, never a record.
  const bob = (await server.db.getUserByName(bobName))!;
  const me = (await server.db.getUserByName(aliceName))!;
  const writer = server.db.attachmentWriter(
    [me.id, bob.id].sort().join("_"),
    me.id,
  );
  await writer.begin(new Date(Date.now() - 25 * 3600_000));
  await writer.write(new Uint8Array(200 * 1024));
  await writer.endPart();
  assert.ok(await countKeys(server.db.kv, "attachment_chunks") > 0);
  assert.equal(await server.db.sweepAttachments(), 1);
  assert.equal(await countKeys(server.db.kv, "attachment_chunks"), 0);
  assert.equal(await countKeys(server.db.kv, "attachment_uploads"), 0);
});

Deno.test("uploads are rate limited per user: 60 at once, then 429 with Retry-After", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  // The bucket refills at 1/s, so on a slow machine a few more than 60 get through before
  // the first 429: what must hold is that 60 at once do, and that the limit then bites.
  const statuses: number[] = [];
  for (let i = 0; i < 200 && !statuses.includes(429); i++) {
    const res = await upload(alice, bobName, pdf(), `f${i}.pdf`);
    statuses.push(res.status);
    if (res.status === 429) {
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
    }
    await res.body?.cancel();
  }
  assert.deepEqual(statuses.slice(0, 60), Array(60).fill(201));
  assert.equal(statuses.at(-1), 429);
});
