import assert from "node:assert/strict";
import {
  GPS_MARK,
  HTML_PAGE,
  jpegWithGps,
  pdf,
  pngWithText,
  storedBytes,
  SVG_WITH_SCRIPT,
  upload,
  uploadPath,
  zip,
} from "./attachment_fixtures.ts";
import {
  messagesPath,
  randomUsername,
  registerPair,
  startTestServer,
  TestClient,
} from "./helpers.ts";

interface Uploaded {
  id: string;
  name: string;
  type: string;
  size: number;
  width?: number;
  height?: number;
}

async function uploadOk(
  client: TestClient,
  peer: string,
  bytes: Uint8Array,
  name: string,
  claimed?: string,
): Promise<Uploaded> {
  const res = await upload(client, peer, bytes, name, claimed);
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.attachment;
}

Deno.test("a photo upload has its type from the bytes, its size, and no EXIF, GPS, XMP or comment left", async () => {
  await using server = await startTestServer();
  const { alice, bobName } = await registerPair(server.url);
  const jpeg = await jpegWithGps(800, 600);
  assert.ok(new TextDecoder("latin1").decode(jpeg).includes(GPS_MARK));
  // The client claims a PDF named .pdf: the bytes say JPEG.
  const photo = await uploadOk(
    alice,
    bobName,
    jpeg,
    "holiday.pdf",
    "application/pdf",
  );
  assert.equal(photo.type, "image/jpeg");
  assert.equal(photo.width, 800);
  assert.equal(photo.height, 600);
  assert.equal(photo.name, "holiday.pdf");
  assert.ok(photo.size < jpeg.length);
  const stored = await storedBytes(server.db.kv, photo.id);
  assert.ok(stored.length > 0);
  assert.ok(!stored.includes(GPS_MARK), "metadata left in stored JPEG");
  assert.ok(!stored.includes("Exif"));

  const png = await uploadOk(alice, bobName, await pngWithText(), "p.png");
  assert.equal(png.type, "image/png");
  assert.deepEqual([png.width, png.height], [400, 1000]);
  assert.ok(!(await storedBytes(server.db.kv, png.id)).includes(GPS_MARK));
});

Deno.test("sending attachments puts them in the message JSON of both people, with a thumbnail of at most 320 px", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const photo = await uploadOk(
    alice,
    bobName,
    await jpegWithGps(1000, 500),
    "a.jpg",
  );
  const doc = await uploadOk(alice, bobName, pdf(), "report.pdf");
  const clientId = crypto.randomUUID();
  const sent = await alice.postJson(messagesPath(bobName), {
    text: "",
    clientId,
    attachments: [photo.id, doc.id],
  });
  assert.equal(sent.status, 201);
  const message = (await sent.json()).message;
  assert.equal(message.text, "");
  assert.equal(message.attachments.length, 2);
  const [a, d] = message.attachments;
  assert.deepEqual(
    { ...a, url: undefined, thumbnailUrl: undefined },
    { ...photo, url: undefined, thumbnailUrl: undefined },
  );
  assert.equal(a.url, `/api/conversations/${bobName}/attachments/${photo.id}`);
  assert.equal(a.thumbnailUrl, `${a.url}/thumbnail`);
  assert.equal(d.type, "application/pdf");
  assert.equal(d.thumbnailUrl, undefined);

  // The same clientId again: the stored message, 200, although the ids are now used.
  const again = await alice.postJson(messagesPath(bobName), {
    text: "",
    clientId,
    attachments: [photo.id, doc.id],
  });
  assert.equal(again.status, 200);
  assert.deepEqual((await again.json()).message, message);

  // Bob sees them under his own URL for the conversation.
  const page = await (await bob.fetch(messagesPath(aliceName))).json();
  const seen = page.messages[0].attachments;
  assert.equal(
    seen[0].url,
    `/api/conversations/${aliceName}/attachments/${photo.id}`,
  );
  const thumb = await bob.fetch(seen[0].thumbnailUrl);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get("content-type"), "image/png");
  const { Image } = await import("imagescript");
  const decoded = await Image.decode(new Uint8Array(await thumb.arrayBuffer()));
  assert.deepEqual([decoded.width, decoded.height], [320, 160]);
  const full = await bob.fetch(seen[0].url);
  assert.equal(full.status, 200);
  assert.equal(Number(full.headers.get("content-length")), photo.size);
  assert.equal((await full.arrayBuffer()).byteLength, photo.size);
});

Deno.test("attachment ids must be the sender's own unused uploads in the same conversation, at most 10", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const carol = new TestClient(server.url);
  const carolName = await carol.register(randomUsername("Carol"));
  const mine = await uploadOk(alice, bobName, pdf(), "a.pdf");
  const bobs = await uploadOk(bob, aliceName, pdf(), "b.pdf");
  const elsewhere = await uploadOk(alice, carolName, pdf(), "c.pdf");
  const send = (attachments: unknown, text = "x") =>
    alice.postJson(messagesPath(bobName), { text, attachments });
  for (
    const ids of [
      [bobs.id],
      [elsewhere.id],
      [crypto.randomUUID()],
      [mine.id, mine.id],
      ["not-a-uuid"],
      Array.from({ length: 11 }, () => crypto.randomUUID()),
    ]
  ) {
    const res = await send(ids);
    assert.equal(res.status, 422, JSON.stringify(ids));
    await res.body?.cancel();
  }
  // Empty text needs an attachment.
  const empty = await send([], "  ");
  assert.equal(empty.status, 422);
  await empty.body?.cancel();
  const ok = await send([mine.id]);
  assert.equal(ok.status, 201);
  await ok.body?.cancel();
  const reused = await send([mine.id]);
  assert.equal(reused.status, 422);
  assert.equal((await reused.json()).error.code, "invalid_attachments");
});

Deno.test("downloads: images inline, SVG, HTML, PDF and ZIP as attachments; nosniff, sandbox CSP, private cache, ETag, ranges", async () => {
  await using server = await startTestServer();
  const { alice, bob, aliceName, bobName } = await registerPair(server.url);
  const files = {
    photo: await uploadOk(alice, bobName, await jpegWithGps(), "p.jpg"),
    svg: await uploadOk(
      alice,
      bobName,
      SVG_WITH_SCRIPT,
      "evil.svg",
      "image/svg+xml",
    ),
    html: await uploadOk(alice, bobName, HTML_PAGE, "page.html", "text/html"),
    pdf: await uploadOk(alice, bobName, pdf(), 'Résumé "final".pdf'),
    zip: await uploadOk(alice, bobName, zip(), "a.zip"),
  };
  assert.equal(files.zip.type, "application/zip");
  assert.equal(files.svg.type, "application/octet-stream");
  assert.equal(files.html.type, "application/octet-stream");
  const res = await alice.postJson(messagesPath(bobName), {
    text: "files",
    attachments: Object.values(files).map((f) => f.id),
  });
  assert.equal(res.status, 201);
  await res.body?.cancel();
  const base = `/api/conversations/${aliceName}/attachments`;
  for (const [kind, file] of Object.entries(files)) {
    const got = await bob.fetch(`${base}/${file.id}`);
    assert.equal(got.status, 200, kind);
    assert.equal(got.headers.get("x-content-type-options"), "nosniff");
    assert.equal(
      got.headers.get("content-security-policy"),
      "sandbox; default-src 'none'",
    );
    assert.equal(got.headers.get("cache-control"), "private");
    assert.ok(got.headers.get("etag"));
    const disposition = got.headers.get("content-disposition") ?? "";
    if (kind === "photo") {
      assert.equal(got.headers.get("content-type"), "image/jpeg");
      assert.match(disposition, /^inline/);
    } else {
      assert.equal(got.headers.get("content-type"), "application/octet-stream");
      assert.match(disposition, /^attachment; /, kind);
    }
  }
  const pdfRes = await bob.fetch(`${base}/${files.pdf.id}`);
  assert.equal(files.pdf.name, 'Résumé "final".pdf');
  assert.match(
    pdfRes.headers.get("content-disposition") ?? "",
    /filename\*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22\.pdf/,
  );
  const svgBody = new Uint8Array(
    await (await bob.fetch(`${base}/${files.svg.id}`)).arrayBuffer(),
  );
  assert.deepEqual(svgBody, SVG_WITH_SCRIPT);

  const etag = pdfRes.headers.get("etag")!;
  const cached = await bob.fetch(`${base}/${files.pdf.id}`, {
    headers: { "if-none-match": etag },
  });
  assert.equal(cached.status, 304);
  const whole = pdf();
  const part = await bob.fetch(`${base}/${files.pdf.id}`, {
    headers: { range: "bytes=5-9" },
  });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 5-9/${whole.length}`);
  assert.deepEqual(
    new Uint8Array(await part.arrayBuffer()),
    whole.subarray(5, 10),
  );
  const bad = await bob.fetch(`${base}/${files.pdf.id}`, {
    headers: { range: "bytes=99999-" },
  });
  assert.equal(bad.status, 416);
});

Deno.test("a third person, or nobody signed in, gets 404 on every attachment url", async () => {
  await using server = await startTestServer();
  const { alice, aliceName, bobName } = await registerPair(server.url);
  const carol = new TestClient(server.url);
  await carol.register(randomUsername("Carol"));
  const anonymous = new TestClient(server.url);
  const photo = await uploadOk(alice, bobName, await jpegWithGps(), "p.jpg");
  const res = await alice.postJson(messagesPath(bobName), {
    text: "",
    attachments: [photo.id],
  });
  const message = (await res.json()).message;
  const urls = [
    message.attachments[0].url,
    message.attachments[0].thumbnailUrl,
    `/api/conversations/${aliceName}/attachments/${photo.id}`,
    `/api/conversations/${aliceName}/attachments/${photo.id}/thumbnail`,
  ];
  for (const client of [carol, anonymous]) {
    for (const url of urls) {
      const got = await client.fetch(url);
      assert.equal(got.status, 404, url);
      await got.body?.cancel();
    }
  }
});

Deno.test("bad upload bodies: not multipart 415, no file 400, empty 422, too large 413 before reading, quota 413 quota_exceeded", async () => {
  await using server = await startTestServer({
    MAX_UPLOAD_BYTES: String(200 * 1024),
    USER_QUOTA_BYTES: String(300 * 1024),
  });
  const { alice, bobName } = await registerPair(server.url);
  const path = uploadPath(bobName);
  const json = await alice.postJson(path, { file: "x" });
  assert.equal(json.status, 415);
  await json.body?.cancel();
  const form = new FormData();
  form.append("other", "x");
  const noFile = await alice.fetch(path, { method: "POST", body: form });
  assert.equal(noFile.status, 400);
  assert.equal((await noFile.json()).error.code, "missing_file");
  const broken = await alice.fetch(path, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=zzz" },
    body:
      '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
  });
  assert.equal(broken.status, 400);
  await broken.body?.cancel();
  const empty = await upload(alice, bobName, new Uint8Array(0), "e.txt");
  assert.equal(empty.status, 422);
  await empty.body?.cancel();

  const big = await upload(
    alice,
    bobName,
    new Uint8Array(200 * 1024 + 1),
    "big.bin",
  );
  assert.equal(big.status, 413);
  assert.equal((await big.json()).error.code, "payload_too_large");
  // Declared too large: answered from the headers alone while the body has not come.
  const port = new URL(server.url).port;
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(port),
  });
  const cookie = [...alice.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  await conn.write(new TextEncoder().encode(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\n` +
      `Content-Type: multipart/form-data; boundary=zzz\r\n` +
      `Content-Length: ${10 * 1024 * 1024}\r\n\r\n--zzz\r\n`,
  ));
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  conn.close();
  assert.match(
    new TextDecoder().decode(buffer.subarray(0, n ?? 0)),
    /^HTTP\/1\.1 413/,
  );

  const fits = await upload(
    alice,
    bobName,
    new Uint8Array(200 * 1024),
    "a.bin",
  );
  assert.equal(fits.status, 201);
  await fits.body?.cancel();
  const over = await upload(
    alice,
    bobName,
    new Uint8Array(150 * 1024),
    "b.bin",
  );
  assert.equal(over.status, 413);
  assert.equal((await over.json()).error.code, "quota_exceeded");
  // Nothing of the refused uploads is stored: one upload's chunks only.
  let chunks = 0;
  for await (const e of server.db.kv.list({ prefix: [] })) {
    if (e.key.includes("attachment_chunks")) chunks++;
  }
  assert.equal(chunks, Math.ceil(200 / 60));
});

Deno.test("an upload no message uses is swept after 24 hours with its bytes; a used one stays", async () => {
  await using server = await startTestServer();
  const { alice, aliceName, bobName, bob } = await registerPair(server.url);
  const unused = await uploadOk(alice, bobName, pdf(), "u.pdf");
  const used = await uploadOk(alice, bobName, pdf(), "v.pdf");
  const res = await alice.postJson(messagesPath(bobName), {
    text: "",
    attachments: [used.id],
  });
  await res.body?.cancel();
  assert.equal(await server.db.sweepAttachments(), 0);
  const later = new Date(Date.now() + 24 * 3600_000 + 1000);
  assert.equal(await server.db.sweepAttachments(later), 1);
  assert.equal(await storedBytes(server.db.kv, unused.id), "");
  assert.notEqual(await storedBytes(server.db.kv, used.id), "");
  const gone = await alice.fetch(
    `/api/conversations/${bobName}/attachments/${unused.id}`,
  );
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
  const kept = await bob.fetch(
    `/api/conversations/${aliceName}/attachments/${used.id}`,
  );
  assert.equal(kept.status, 200);
  await kept.body?.cancel();
  assert.equal(
    await server.db.userAttachmentBytes(
      (await server.db.getUserByName(bobName))!.id,
    ),
    0,
  );
});
