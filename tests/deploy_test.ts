import assert from "node:assert/strict";
import encodeWebp from "@jsquash/webp/encode.js";
import { jpegWithGps, upload } from "./attachment_fixtures.ts";

/** A 64×48 WebP, made here with jSquash's encoder. */
async function smallWebp(): Promise<Uint8Array> {
  const data = new Uint8ClampedArray(64 * 48 * 4).fill(128);
  return new Uint8Array(
    await encodeWebp(
      { width: 64, height: 48, data, colorSpace: "srgb" } as ImageData,
    ),
  );
}
import { spawnServer } from "../bench/server_process.ts";
import { loadConfig } from "../fresh.config.ts";
import { messagesPath, registerPair } from "./helpers.ts";

Deno.test("on Deno Deploy the app needs no DENO_ variable from the operator and opens the platform's KV", () => {
  // What the current Deno Deploy sets by itself; operators cannot set DENO_* there.
  const config = loadConfig({
    DENO_DEPLOY: "true",
    DENO_DEPLOYMENT_ID: "k2j4h5",
    PUBLIC_URL: "https://natter.example.deno.net",
  });
  assert.equal(config.isDeploy, true);
  assert.equal(config.kvPath, undefined, "Deno.openKv() with no path");
  assert.equal(config.port, 8000);
  // Deploy Classic set only DENO_DEPLOYMENT_ID.
  assert.equal(loadConfig({ DENO_DEPLOYMENT_ID: "x" }).isDeploy, true);
  assert.equal(loadConfig({}).isDeploy, false);
});

Deno.test("main.ts runs as Deno Deploy runs it: no runtime flags, and no write to the file system", async () => {
  // Deploy starts `main.ts` with a fixed set of flags (never --unstable-kv: deno.json's
  // "unstable" covers KV). Here write permission is withheld, so any file written at run
  // time would fail. ":memory:" stands in for the platform's KV.
  const server = await spawnServer({
    kvPath: ":memory:",
    args: [
      "run",
      "--node-modules-dir=manual",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "main.ts",
    ],
    env: { DENO_DEPLOY: "true", DENO_DEPLOYMENT_ID: "test" },
  });
  try {
    const { alice, bob, aliceName, bobName } = await registerPair(server.url);
    const sent = await alice.postJson(messagesPath(bobName), { text: "hi" });
    assert.equal(sent.status, 201, server.output());
    const res = await bob.fetch(messagesPath(aliceName));
    const body = await res.json();
    assert.deepEqual(body.messages.map((m: { text: string }) => m.text), [
      "hi",
    ]);
    // A photo's thumbnail is made without native add-ons (no --allow-ffi here).
    const photo = await upload(alice, bobName, await jpegWithGps(), "p.jpg");
    assert.equal(photo.status, 201, server.output());
    const { attachment } = await photo.json();
    const thumb = await alice.fetch(
      `/api/conversations/${bobName}/attachments/${attachment.id}/thumbnail`,
    );
    assert.equal(thumb.status, 200);
    await thumb.body?.cancel();
    // WebP too: jSquash's WebAssembly decoder, no add-on either.
    const webp = await upload(alice, bobName, await smallWebp(), "w.webp");
    assert.equal(webp.status, 201, server.output());
    const webpAttachment = (await webp.json()).attachment;
    assert.equal(webpAttachment.width, 64);
    const webpThumb = await alice.fetch(
      `/api/conversations/${bobName}/attachments/${webpAttachment.id}/thumbnail`,
    );
    assert.equal(webpThumb.status, 200, server.output());
    await webpThumb.body?.cancel();
    const page = await bob.fetch(`/chat/${aliceName}`);
    assert.equal(page.status, 200);
    // The island bundle built by `deno task build` is served as it is.
    const script = /src="(\/_fresh\/islands\/[^"]+\.js)"/.exec(
      await page.text(),
    );
    assert.ok(script, "the chat page loads its island");
    const bundle = await bob.fetch(script[1]);
    assert.equal(bundle.status, 200);
  } finally {
    const status = await server.stop("SIGINT");
    assert.equal(status.code, 0, server.output());
  }
  assert.doesNotMatch(
    server.output(),
    /PermissionDenied|NotCapable|Requires write/,
  );
});
