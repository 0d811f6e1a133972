import assert from "node:assert/strict";
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

/** The tick of my message with this text: its accessible name ("Sent", "Delivered", "Read"). */
function tickOf(page: Page, text: string) {
  return page.locator(".chat li.msg.mine", { hasText: text }).locator(".tick");
}

async function tickIs(page: Page, text: string, label: string) {
  await waitUntil(
    `"${text}" shows ${label}`,
    async () => await tickOf(page, text).getAttribute("aria-label") === label,
  );
}

function headerStatus(page: Page) {
  return page.locator(".chat-header .peer-status");
}

/** Remembers whether "typing…" ever showed in this page, from now on. */
async function recordTyping(page: Page) {
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const w = globalThis as any;
    w.__sawTyping = false;
    new MutationObserver(() => {
      if (document.querySelector(".typing")) w.__sawTyping = true;
    }).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
}

const sawTyping = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { __sawTyping: boolean }).__sawTyping
  );

async function saveSettings(
  page: Page,
  base: string,
  s: { readReceipts: boolean; typingIndicators: boolean; lastSeen: string },
) {
  await page.goto(`${base}/settings`);
  await page.getByLabel("Send read receipts").setChecked(s.readReceipts);
  await page.getByLabel("Show when I am typing").setChecked(s.typingIndicators);
  await page.locator(`input[name=lastSeen][value=${s.lastSeen}]`).check();
  await Promise.all([
    page.waitForURL(`${base}/settings?saved=1`),
    page.getByRole("button", { name: "Save" }).click(),
  ]);
}

async function type(page: Page, text: string) {
  await page.locator("#message-text").pressSequentially(text, { delay: 20 });
}

async function sendText(page: Page, text: string) {
  await page.locator("#message-text").fill(text);
  await page.locator("#message-text").press("Enter");
}

Deno.test({
  name:
    "in Chromium two people see ticks move live, typing come and go, online and last seen, and every privacy setting hide both ways",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const base = server.url;
    const aliceContext = await browser.newContext(DESKTOP);
    const bobContext = await browser.newContext(DESKTOP);
    aliceContext.setDefaultTimeout(10_000);
    bobContext.setDefaultTimeout(10_000);
    const alice = await aliceContext.newPage();
    let bob = await bobContext.newPage();
    const errors = [...[alice, bob].map(watchErrors)];
    const aliceName = randomUsername("alice");
    const bobName = randomUsername("bob");
    await registerThroughForm(alice, base, aliceName);
    await registerThroughForm(bob, base, bobName);
    const defaults = {
      readReceipts: true,
      typingIndicators: true,
      lastSeen: "everyone",
    };
    let broken = false;
    const step = async (name: string, fn: () => Promise<void>) => {
      if (!await t.step({ name, ignore: broken, fn })) broken = true;
    };

    await step(
      "✓ sent while bob has no chat open; the header says online",
      async () => {
        // A page without islands: bob is online but holds no inbox.
        await bob.goto(`${base}/settings`);
        await alice.goto(`${base}/chat/${bobName}`);
        await sendText(alice, "one");
        await tickIs(alice, "one", "Sent");
        assert.equal(await tickOf(alice, "one").innerText(), "✓");
        assert.match(
          await tickOf(alice, "one").getAttribute("title") ?? "",
          /^Sent \d\d:\d\d$/,
        );
        await waitUntil(
          "bob shows online",
          async () => await headerStatus(alice).innerText() === "online",
        );
      },
    );

    await step(
      "✓✓ delivered live once bob's inbox receives it; the list dot shows alice online",
      async () => {
        await bob.goto(`${base}/users`);
        const row = bob.locator(".conversation-list li", {
          hasText: aliceName,
        });
        await row.locator(".presence-dot").waitFor();
        await sendText(alice, "two");
        await tickIs(alice, "two", "Delivered");
        await tickIs(alice, "one", "Delivered");
        assert.equal(await tickOf(alice, "two").innerText(), "✓✓");
      },
    );

    await step(
      "read ✓✓ in the accent colour once bob opens the chat",
      async () => {
        await bob.goto(`${base}/chat/${aliceName}`);
        await tickIs(alice, "two", "Read");
        await tickIs(alice, "one", "Read");
        const colours = await tickOf(alice, "two").evaluate((el) => [
          getComputedStyle(el).color,
          getComputedStyle(el.closest(".meta")!).color,
        ]);
        assert.notEqual(colours[0], colours[1], "read ticks stand out");
        // One accessible name, in an image: the live log does not announce it again.
        assert.equal(await tickOf(alice, "two").getAttribute("role"), "img");
        await screenshot(alice, "signals-read-ticks");
      },
    );

    await step(
      "typing… shows in the header and the list, and goes after 6 s",
      async () => {
        await type(bob, "hel");
        await waitUntil(
          "alice sees typing",
          async () => await headerStatus(alice).innerText() === "typing…",
        );
        const row = alice.locator(".conversation-list li", {
          hasText: bobName,
        });
        assert.equal(await row.locator(".user-preview").innerText(), "typing…");
        await screenshot(alice, "signals-typing");
        await waitUntil(
          "typing to go",
          async () => await headerStatus(alice).innerText() === "online",
          12_000,
        );
        assert.notEqual(
          await row.locator(".user-preview").innerText(),
          "typing…",
        );
        await bob.locator("#message-text").fill("");
      },
    );

    await step(
      "last seen when bob leaves, online again when he comes back",
      async () => {
        await bob.close();
        await waitUntil(
          "alice sees last seen",
          async () =>
            /^last seen today at \d\d:\d\d$/.test(
              await headerStatus(alice).innerText(),
            ),
          45_000,
        );
        await screenshot(alice, "signals-last-seen");
        bob = await bobContext.newPage();
        errors.push(watchErrors(bob));
        await bob.goto(`${base}/chat/${aliceName}`);
        await waitUntil(
          "alice sees online",
          async () => await headerStatus(alice).innerText() === "online",
        );
      },
    );

    await step(
      "read receipts off (bob): alice's messages stop at delivered, and bob sees no reads",
      async () => {
        await saveSettings(bob, base, { ...defaults, readReceipts: false });
        await sendText(alice, "three");
        await tickIs(alice, "three", "Sent");
        const read = bob.waitForResponse((r) =>
          r.url().endsWith("/read") && r.status() === 204
        );
        await bob.goto(`${base}/chat/${aliceName}`);
        await read;
        await tickIs(alice, "three", "Delivered");
        await sendText(bob, "four");
        await tickIs(bob, "four", "Delivered");
        // Alice's chat is open and visible: she has read it, yet bob sees only delivered.
        await alice.reload();
        await alice.locator(".chat li.msg", { hasText: "four" }).waitFor();
        await bob.reload();
        await tickIs(bob, "four", "Delivered");
        await tickIs(alice, "three", "Delivered");
      },
    );

    await step(
      "typing indicators off (bob): neither sends nor sees typing…",
      async () => {
        await saveSettings(bob, base, { ...defaults, typingIndicators: false });
        await bob.goto(`${base}/chat/${aliceName}`);
        await recordTyping(alice);
        await recordTyping(bob);
        const sentTyping = bob.waitForResponse((r) =>
          r.url().endsWith("/typing")
        );
        await type(bob, "quiet");
        await sentTyping;
        await bob.locator("#message-text").press("Enter");
        await alice.locator(".chat li.msg", { hasText: "quiet" }).waitFor();
        const aliceTyping = alice.waitForResponse((r) =>
          r.url().endsWith("/typing")
        );
        await type(alice, "hush");
        await aliceTyping;
        await alice.locator("#message-text").press("Enter");
        await bob.locator(".chat li.msg", { hasText: "hush" }).waitFor();
        assert.equal(
          await sawTyping(alice),
          false,
          "alice saw no typing from bob",
        );
        assert.equal(
          await sawTyping(bob),
          false,
          "bob saw no typing from alice",
        );
      },
    );

    await step(
      "last seen hidden (bob, nobody): neither sees the other's online or last seen",
      async () => {
        await saveSettings(bob, base, { ...defaults, lastSeen: "nobody" });
        await bob.goto(`${base}/chat/${aliceName}`);
        await alice.reload();
        assert.equal(await headerStatus(alice).innerText(), "");
        assert.equal(await headerStatus(bob).innerText(), "");
        assert.equal(await alice.locator(".presence-dot").count(), 0);
        assert.equal(await bob.locator(".presence-dot").count(), 0);
        await saveSettings(bob, base, defaults);
        await bob.goto(`${base}/chat/${aliceName}`);
        await alice.reload();
        assert.equal(await headerStatus(alice).innerText(), "online");
      },
    );

    assertNoErrors(errors.flat());
  },
});
