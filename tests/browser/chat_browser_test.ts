/**
 * The chat in a real browser: two people, one on a laptop and one on a phone, register
 * through the forms and talk. One browser and one server for the whole file, shared by the
 * steps (each step builds on the conversation so far). Screenshots land in
 * test-results/browser/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { randomUsername, startTestServer } from "../helpers.ts";
import {
  assertNoErrors,
  DESKTOP,
  launchBrowser,
  PHONE,
  registerThroughForm,
  screenshot,
  skipBrowserTests,
  waitUntil,
  watchErrors,
} from "./browser.ts";

/** Texts of the message bubbles, top to bottom (confirmed and unsent alike). */
function bubbleTexts(page: Page): Promise<string[]> {
  return page.locator(".message-list .msg .text").allTextContents();
}

/** How many bubbles show exactly `text`. */
async function copies(page: Page, text: string): Promise<number> {
  return (await bubbleTexts(page)).filter((t) => t === text).length;
}

/** Types into the composer and presses Enter. */
async function sendWithEnter(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/** Which side of the message list the bubble showing `text` sits on, measured. */
async function sideOf(page: Page, text: string): Promise<"left" | "right"> {
  const list = await page.locator(".messages").boundingBox();
  const bubble = await page.locator(".msg .bubble", {
    has: page.getByText(text, { exact: true }),
  }).last().boundingBox();
  assert.ok(list && bubble, `bubble "${text}" is on screen`);
  const gapLeft = bubble.x - list.x;
  const gapRight = list.x + list.width - (bubble.x + bubble.width);
  assert.ok(
    Math.min(gapLeft, gapRight) < list.width * 0.1,
    `bubble "${text}" hugs one side (gaps ${gapLeft}/${gapRight})`,
  );
  return gapLeft < gapRight ? "left" : "right";
}

Deno.test({
  name:
    "two people chat in Chromium, on a laptop and on a phone, with no reloads",
  ignore: skipBrowserTests(),
  // Playwright keeps its pipe to Chromium and timers open between steps.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const laptop = await browser.newContext(DESKTOP);
    const phone = await browser.newContext(PHONE);
    for (const context of [laptop, phone]) context.setDefaultTimeout(10_000);
    const alice = await laptop.newPage();
    const bob = await phone.newPage();
    const errors = [...[alice, bob].map(watchErrors)];
    const aliceName = randomUsername("alice");
    const bobName = randomUsername("bob");
    const base = server.url;
    /** Every message sent so far, in the order the server accepted them. */
    const history: string[] = [];
    // Each step builds on the previous ones, so after a failure the rest are skipped.
    let broken = false;
    const step = async (name: string, fn: () => Promise<void> | void) => {
      if (!await t.step({ name, ignore: broken, fn })) broken = true;
    };

    await step(
      "both register through the forms and land on their chat list",
      async () => {
        await registerThroughForm(alice, base, aliceName);
        await registerThroughForm(bob, base, bobName);
        await screenshot(bob, "01-phone-users-empty");
        // People without a conversation yet are found by the search, not listed.
        await bob.getByRole("searchbox").fill(aliceName.slice(0, 8));
        await bob.getByRole("button", { name: "Search" }).click();
        await bob.getByRole("link", { name: aliceName }).waitFor();
      },
    );

    await step("the chat list shows unread counts", async () => {
      await alice.goto(`${base}/users?q=${bobName}`);
      await alice.getByRole("link", { name: bobName }).click();
      await alice.waitForURL(`${base}/chat/${bobName}`);
      await alice.locator(".chat").getByText("No messages yet").waitFor();
      await sendWithEnter(alice, "Hi Bob, it's Alice");
      history.push("Hi Bob, it's Alice");
      await alice.locator(".msg .tick").first().waitFor();
      await bob.goto(`${base}/users`);
      const row = bob.getByRole("link", { name: new RegExp(aliceName) });
      assert.match(await row.innerText(), /Hi Bob, it's Alice/);
      assert.equal(await row.locator(".badge").innerText(), "1");
      assert.match(
        (await row.textContent()) ?? "",
        /1 unread/,
        "screen readers hear it",
      );
      await screenshot(bob, "02-phone-users-unread");
    });

    await step(
      "a message appears for the receiver without a reload, both ways",
      async () => {
        await bob.getByRole("link", { name: new RegExp(aliceName) }).click();
        await bob.waitForURL(`${base}/chat/${aliceName}`);
        await bob.locator(".chat").getByText("Hi Bob, it's Alice").waitFor();
        await bob.locator(".chat").getByText("Today").waitFor();
        // Bob answers by tapping Send; Alice's open page shows it by itself.
        await bob.getByLabel("Message", { exact: true }).fill("Hey Alice!");
        await bob.getByRole("button", { name: "Send" }).tap();
        history.push("Hey Alice!");
        await alice.locator(".chat").getByText("Hey Alice!").waitFor();
        await sendWithEnter(alice, "How are you?");
        history.push("How are you?");
        await bob.locator(".chat").getByText("How are you?").waitFor();
        await screenshot(alice, "03-desktop-chat");
        await screenshot(bob, "03-phone-chat");
      },
    );

    await step(
      "my bubbles sit on the right and theirs on the left",
      async () => {
        assert.equal(await sideOf(alice, "How are you?"), "right");
        assert.equal(await sideOf(alice, "Hey Alice!"), "left");
        assert.equal(await sideOf(bob, "How are you?"), "left");
        assert.equal(await sideOf(bob, "Hey Alice!"), "right");
      },
    );

    await step("Enter sends and Shift+Enter adds a line", async () => {
      const box = alice.getByLabel("Message", { exact: true });
      await box.click();
      await box.pressSequentially("line one");
      await box.press("Shift+Enter");
      await box.pressSequentially("line two");
      assert.equal(await box.inputValue(), "line one\nline two");
      assert.equal(await copies(alice, "line one\nline two"), 0);
      await box.press("Enter");
      history.push("line one\nline two");
      assert.equal(await box.inputValue(), "");
      await bob.locator(".msg .text", { hasText: "line two" }).waitFor();
      assert.equal(await copies(bob, "line one\nline two"), 1);
      const two = await bob.locator(".msg .text", { hasText: "line two" })
        .boundingBox();
      const one = await bob.locator(".chat").getByText("How are you?")
        .boundingBox();
      assert.ok(two && one && two.height > one.height * 1.5, "two lines tall");
    });

    await step("markup in a message shows as text", async () => {
      const markup =
        `<b>bold</b> <img src=x onerror="window.pwned=1"> <script>window.pwned=2</script>`;
      await sendWithEnter(alice, markup);
      history.push(markup);
      const bubble = bob.locator(".msg .text").filter({
        hasText: "<b>bold</b>",
      });
      await bubble.waitFor();
      assert.equal(await bubble.textContent(), markup);
      assert.equal(await bubble.locator("b, img, script").count(), 0);
      assert.equal(await bob.evaluate(() => "pwned" in globalThis), false);
      await bob.reload();
      assert.equal(await copies(bob, markup), 1);
      assert.equal(await bob.evaluate(() => "pwned" in globalThis), false);
    });

    await step(
      "a 300-character word wraps without widening the page",
      async () => {
        const word = "W".repeat(300);
        await sendWithEnter(bob, word);
        history.push(word);
        await alice.locator(".chat").getByText(word).waitFor();
        for (const page of [alice, bob]) {
          const { scrollWidth, clientWidth } = await page.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
          }));
          assert.ok(scrollWidth <= clientWidth, "no horizontal page scroll");
          const bubble = await page.locator(".msg .bubble", {
            has: page.getByText(word),
          }).boundingBox();
          const viewport = page.viewportSize()!;
          assert.ok(bubble && bubble.x >= 0, "bubble starts on screen");
          assert.ok(
            bubble.x + bubble.width <= viewport.width,
            "and ends on it",
          );
        }
        await screenshot(bob, "04-phone-long-word");
      },
    );

    await step("a reload keeps the history in order", async () => {
      await Promise.all([alice.reload(), bob.reload()]);
      assert.deepEqual(await bubbleTexts(alice), history);
      assert.deepEqual(await bubbleTexts(bob), history);
    });

    await step(
      "an unsent message survives a reload and is delivered exactly once",
      async () => {
        const api = `**/api/conversations/${bobName}/messages`;
        // 1. The server stores the message but its answer never reaches the page: the
        // poll brings it back with its client id, and it shows once, without a retry.
        await alice.route(api, async (route) => {
          if (route.request().method() !== "POST") return route.fallback();
          await route.fetch();
          await route.abort("connectionreset");
        });
        await sendWithEnter(alice, "answer lost in transit");
        history.push("answer lost in transit");
        await bob.locator(".chat").getByText("answer lost in transit")
          .waitFor();
        await waitUntil(
          "the outbox is empty",
          async () =>
            await alice.locator(".msg.failed, .msg.sending").count() === 0,
        );
        assert.equal(await copies(alice, "answer lost in transit"), 1);
        assert.equal(await copies(bob, "answer lost in transit"), 1);
        await alice.unroute(api);

        // 2. The send never reaches the server: it waits in localStorage across a reload
        // and is delivered once when the connection works again.
        await alice.route(
          api,
          (route) =>
            route.request().method() === "POST"
              ? route.abort("connectionreset")
              : route.fallback(),
        );
        await sendWithEnter(alice, "kept across a reload");
        history.push("kept across a reload");
        await alice.locator(".chat").getByText("not sent —").first().waitFor();
        await screenshot(alice, "05-desktop-not-sent");
        assert.ok(
          await alice.evaluate(() =>
            Object.keys(localStorage).some((k) => k.startsWith("natter.outbox"))
          ),
          "the unsent message is kept in localStorage",
        );
        await alice.reload();
        await alice.locator(".msg.failed, .msg.sending").first().waitFor();
        await alice.unroute(api);
        await waitUntil(
          "the outbox is empty",
          async () =>
            await alice.locator(".msg.failed, .msg.sending").count() === 0,
        );
        assert.equal(await copies(alice, "kept across a reload"), 1);
        await bob.locator(".chat").getByText("kept across a reload").waitFor();
        assert.equal(await copies(bob, "kept across a reload"), 1);
        await alice.reload();
        assert.deepEqual(await bubbleTexts(alice), history);
      },
    );

    await step(
      "a refused message shows 'not sent — retry' and retry works",
      async () => {
        const api = `**/api/conversations/${bobName}/messages`;
        await alice.route(
          api,
          (route) =>
            route.request().method() === "POST"
              ? route.fulfill({
                status: 503,
                contentType: "application/json",
                body: '{"error":{"code":"unavailable","message":"Try later"}}',
              })
              : route.fallback(),
        );
        await sendWithEnter(alice, "try me again");
        const failed = alice.locator(".msg.failed", {
          hasText: "try me again",
        });
        await failed.waitFor();
        const status = (await failed.locator(".meta").textContent())!;
        assert.equal(status.replace(/\s+/g, " ").trim(), "not sent — retry");
        await alice.unroute(api);
        // Either the automatic retry or this click sends it; the client id keeps it single.
        await failed.getByRole("button", { name: "retry" }).click().catch(
          () => {},
        );
        history.push("try me again");
        await bob.locator(".chat").getByText("try me again").waitFor();
        await waitUntil(
          "alice's copy is confirmed",
          async () => await alice.locator(".msg.failed").count() === 0,
        );
        assert.equal(await copies(alice, "try me again"), 1);
        assert.equal(await copies(bob, "try me again"), 1);
      },
    );

    await step(
      "offline: a banner, unsent messages wait, and everything catches up",
      async () => {
        await phone.setOffline(true);
        const banner = bob.locator(".chat").getByText("Can’t reach Natter");
        await banner.waitFor();
        await sendWithEnter(bob, "typed while offline");
        await bob.locator(".msg.failed", { hasText: "typed while offline" })
          .waitFor();
        await sendWithEnter(alice, "sent while Bob was offline");
        await screenshot(bob, "06-phone-offline");
        await phone.setOffline(false);
        await bob.locator(".chat").getByText("sent while Bob was offline")
          .waitFor();
        await banner.waitFor({ state: "hidden" });
        await alice.locator(".chat").getByText("typed while offline").waitFor();
        await waitUntil(
          "bob's outbox is empty",
          async () =>
            await bob.locator(".msg.failed, .msg.sending").count() === 0,
        );
        assert.equal(await copies(alice, "typed while offline"), 1);
        assert.equal(await copies(bob, "typed while offline"), 1);
        history.push("sent while Bob was offline", "typed while offline");
      },
    );

    await step(
      "reading further up shows a 'new messages' button instead of jumping",
      async () => {
        await alice.evaluate(async (peer) => {
          for (let i = 1; i <= 25; i++) {
            await fetch(`/api/conversations/${peer}/messages`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ text: `filler ${i}` }),
            });
          }
        }, bobName);
        await bob.locator(".chat").getByText("filler 25", { exact: true })
          .waitFor();
        const scroller = bob.locator(".messages");
        await scroller.evaluate((el) => el.scrollTo({ top: -600 }));
        await waitUntil(
          "bob has scrolled up",
          async () => await scroller.evaluate((el) => el.scrollTop < -500),
        );
        const anchor = bob.locator(".chat").getByText("filler 10", {
          exact: true,
        });
        const before = await anchor.boundingBox();
        await sendWithEnter(alice, "while you were reading");
        const button = bob.getByRole("button", { name: /1 new message/ });
        await button.waitFor();
        const after = await anchor.boundingBox();
        assert.ok(before && after);
        assert.ok(
          Math.abs(after.y - before.y) < 2,
          "the text I read stays put",
        );
        await screenshot(bob, "07-phone-new-messages");
        await button.click();
        await button.waitFor({ state: "hidden" });
        await waitUntil(
          "bob is back at the newest message",
          async () =>
            Math.abs(await scroller.evaluate((el) => el.scrollTop)) < 2,
        );
        assert.ok(
          await bob.locator(".chat").getByText("while you were reading")
            .isVisible(),
        );
      },
    );

    await step(
      "the page title counts unread messages while the tab is hidden",
      async () => {
        const title = await bob.title();
        await bob.evaluate(() => {
          Object.defineProperty(document, "visibilityState", {
            configurable: true,
            get: () => "hidden",
          });
          document.dispatchEvent(new Event("visibilitychange"));
        });
        await sendWithEnter(alice, "are you there?");
        await sendWithEnter(alice, "hello?");
        await alice.locator(".msg.theirs, .msg.mine .tick").last().waitFor();
        await waitUntil(
          "alice's messages are stored",
          async () =>
            await alice.locator(".msg.sending, .msg.sent").count() === 0,
        );
        // A hidden tab keeps the live stream: no nudge needed.
        await waitUntil(
          "bob's title counts 2",
          async () => (await bob.title()).startsWith("(2) "),
        );
        await bob.evaluate(() => {
          Object.defineProperty(document, "visibilityState", {
            configurable: true,
            get: () => "visible",
          });
          document.dispatchEvent(new Event("visibilitychange"));
        });
        // Visible again: what is on screen is reported read, and the count goes.
        await waitUntil(
          "bob's title has no unread count",
          async () => !/^\(\d+\) /.test(await bob.title()),
        );
        assert.ok(title.endsWith(await bob.title()));
      },
    );

    await t.step("no uncaught script errors on either side", () => {
      assertNoErrors(errors.flat());
    });
  },
});
