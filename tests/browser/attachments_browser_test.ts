import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import {
  assertNoErrors,
  DESKTOP,
  launchBrowser,
  registerThroughForm,
  screenshot,
  skipBrowserTests,
  waitUntil,
  watchErrors,
} from "./browser.ts";
import { randomUsername, startTestServer } from "../helpers.ts";
import {
  GPS_MARK,
  jpegWithGps,
  pdf,
  storedBytes,
  zip,
} from "../attachment_fixtures.ts";

/** Drops (or pastes) a file made in the page from `bytes` onto `selector`. */
async function dispatchFile(
  page: Page,
  how: "drop" | "paste",
  selector: string,
  file: { name: string; type: string; bytes: Uint8Array },
): Promise<void> {
  await page.evaluate(({ how, selector, name, type, bytes }) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    const target = document.querySelector(selector)!;
    const event = how === "drop"
      ? new DragEvent("drop", {
        dataTransfer: data,
        bubbles: true,
        cancelable: true,
      })
      : new ClipboardEvent("paste", {
        clipboardData: data,
        bubbles: true,
        cancelable: true,
      });
    target.dispatchEvent(event);
  }, { how, selector, ...file, bytes: Array.from(file.bytes) });
}

async function sendWhenReady(page: Page, count: number): Promise<void> {
  await waitUntil(
    `${count} upload(s) ready`,
    () => page.locator(".upload.done").count().then((n) => n === count),
  );
  await page.getByRole("button", { name: "Send" }).click();
}

Deno.test({
  name:
    "in Chromium two people send a photo, a PDF and a ZIP by button, drop and paste; the photo opens in a viewer, files download",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const aliceCtx = await browser.newContext(DESKTOP);
    const bobCtx = await browser.newContext({
      ...DESKTOP,
      acceptDownloads: true,
    });
    aliceCtx.setDefaultTimeout(10_000);
    bobCtx.setDefaultTimeout(10_000);
    const alice = await aliceCtx.newPage();
    const bob = await bobCtx.newPage();
    const errors = [...watchErrors(alice), ...watchErrors(bob)];
    const aliceName = randomUsername("alice");
    const bobName = randomUsername("bob");
    await registerThroughForm(alice, server.url, aliceName);
    await registerThroughForm(bob, server.url, bobName);
    await alice.goto(`${server.url}/chat/${bobName}`);
    await bob.goto(`${server.url}/chat/${aliceName}`);

    // By button: the paperclip opens the file chooser.
    const photo = await jpegWithGps(1200, 900);
    const [chooser] = await Promise.all([
      alice.waitForEvent("filechooser"),
      alice.locator("label.attach").click(),
    ]);
    await chooser.setFiles({
      name: "beach.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(photo),
    });
    await sendWhenReady(alice, 1);
    const thumb = bob.locator(".attachment.photo img");
    await thumb.waitFor();
    assert.equal(await thumb.getAttribute("width"), "240");
    assert.equal(await thumb.getAttribute("height"), "180");
    await waitUntil(
      "the thumbnail loads",
      () =>
        thumb.evaluate((img: HTMLImageElement) =>
          img.complete && img.naturalWidth > 0
        ),
    );
    assert.equal(
      await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth),
      320,
    );

    // The viewer: opens full size, Escape closes it, focus returns to the thumbnail.
    const link = bob.locator("a.photo-link");
    await link.focus();
    await bob.keyboard.press("Enter");
    const viewer = bob.locator("#photo-viewer");
    await waitUntil(
      "the viewer opens",
      () => viewer.evaluate((d: HTMLDialogElement) => d.open),
    );
    await waitUntil(
      "the full photo loads",
      () =>
        bob.locator(".viewer-image").evaluate((img: HTMLImageElement) =>
          img.naturalWidth === 1200
        ),
    );
    await screenshot(bob, "attachments-viewer");
    await bob.keyboard.press("Escape");
    await waitUntil(
      "the viewer closes",
      () => viewer.evaluate((d: HTMLDialogElement) => !d.open),
    );
    assert.ok(await link.evaluate((a) => a === document.activeElement));

    // By drop (a PDF) and by paste (a ZIP), from Bob this time.
    await dispatchFile(bob, "drop", "section.chat", {
      name: "report.pdf",
      type: "application/pdf",
      bytes: pdf(),
    });
    await sendWhenReady(bob, 1);
    await dispatchFile(bob, "paste", "#message-text", {
      name: "archive.zip",
      type: "application/zip",
      bytes: zip(),
    });
    await bob.locator("#message-text").fill("here you go");
    await sendWhenReady(bob, 1);
    const cards = alice.locator(".attachment.file");
    await waitUntil(
      "both files reach Alice",
      () => cards.count().then((n) => n === 2),
    );
    assert.match(await cards.nth(0).innerText(), /report\.pdf/);
    assert.match(await cards.nth(1).innerText(), /archive\.zip/);
    await screenshot(alice, "attachments-chat");

    // Downloads, never rendered: the page stays on the chat.
    for (const [i, name] of [[0, "report.pdf"], [1, "archive.zip"]] as const) {
      const [download] = await Promise.all([
        alice.waitForEvent("download"),
        cards.nth(i).getByRole("link").click(),
      ]);
      assert.equal(download.suggestedFilename(), name);
      await download.cancel();
    }
    assert.equal(new URL(alice.url()).pathname, `/chat/${bobName}`);

    // No GPS left in what the server stored for the photo.
    const id = await thumb.evaluate((img: HTMLImageElement) =>
      img.src.split("/attachments/")[1].split("/")[0]
    );
    const stored = await storedBytes(server.db.kv, id);
    assert.ok(stored.length > 0 && !stored.includes(GPS_MARK));
    assertNoErrors(errors);
  },
});
