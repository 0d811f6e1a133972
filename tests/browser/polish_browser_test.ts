/**
 * The chat's finish in a real browser: clickable links (and nothing else), the composer's
 * focus, drafts kept per chat, refused messages that stay unsent across reloads, and times
 * in the viewer's own zone. One browser and server for the file; each step builds on the
 * previous ones.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  messagesPath,
  randomUsername,
  startTestServer,
  TestClient,
} from "../helpers.ts";
import {
  assertNoErrors,
  DESKTOP,
  launchBrowser,
  registerThroughForm,
  skipBrowserTests,
  waitUntil,
  watchErrors,
} from "./browser.ts";

/** A zone far from UTC, so a time shown in UTC cannot pass for local. */
const ZONE = "Pacific/Kiritimati";

/** Resolves once every island on the page has hydrated (its props script is gone). */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.querySelector("script[data-island-props]") === null
  );
}

function composerFocused(page: Page): Promise<boolean> {
  return page.evaluate(() => document.activeElement?.id === "message-text");
}

/** Texts the server holds in the conversation, as the peer sees them. */
async function serverTexts(peer: TestClient, me: string): Promise<string[]> {
  const res = await peer.fetch(messagesPath(me));
  const body = await res.json();
  return body.messages.map((m: { text: string }) => m.text);
}

Deno.test({
  name:
    "the chat's polish holds in Chromium: links, focus, drafts, refused messages and local times",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const context = await browser.newContext({ ...DESKTOP, timezoneId: ZONE });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const me = randomUsername("alice");
    const bob = new TestClient(server.url);
    const bobName = await bob.register(randomUsername("bob"));
    const carol = new TestClient(server.url);
    const carolName = await carol.register(randomUsername("carol"));
    await registerThroughForm(page, server.url, me);
    const chatUrl = `${server.url}/chat/${bobName}`;
    const box = page.getByLabel("Message", { exact: true });

    let broken = false;
    const step = async (name: string, fn: () => Promise<void>) => {
      if (!await t.step({ name, ignore: broken, fn })) broken = true;
    };

    await step("the composer has focus when a chat opens", async () => {
      await page.goto(chatUrl);
      await hydrated(page);
      await waitUntil("the composer is focused", () => composerFocused(page));
    });

    await step(
      "http(s) links in a message are clickable, open in a new tab, and nothing else is a link",
      async () => {
        const res = await bob.postJson(messagesPath(me), {
          text:
            "read https://example.com/a?b=1&c=2. not javascript:alert(1) nor data:text/html,x <b>bold</b> (http://example.org/x)",
        });
        await res.body?.cancel();
        for (const when of ["live", "after a reload"]) {
          if (when !== "live") {
            await page.reload();
            await hydrated(page);
          }
          const bubble = page.locator(".msg.theirs .text").last();
          await bubble.getByText("https://example.com/a?b=1&c=2").waitFor();
          const links = await bubble.locator("a").evaluateAll((as) =>
            as.map((a) => ({
              href: a.getAttribute("href"),
              rel: a.getAttribute("rel"),
              target: a.getAttribute("target"),
              text: a.textContent,
            }))
          );
          assert.deepEqual(links, [
            {
              href: "https://example.com/a?b=1&c=2",
              rel: "noopener noreferrer nofollow",
              target: "_blank",
              text: "https://example.com/a?b=1&c=2",
            },
            {
              href: "http://example.org/x",
              rel: "noopener noreferrer nofollow",
              target: "_blank",
              text: "http://example.org/x",
            },
          ], when);
          assert.equal(await bubble.locator("b").count(), 0, when);
          assert.match((await bubble.textContent())!, /<b>bold<\/b>/, when);
        }
      },
    );

    await step("the composer gets focus back after a send", async () => {
      await box.fill("sent with the button");
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator(".msg.mine:not(.sending)", {
        hasText: "sent with the button",
      }).waitFor();
      await waitUntil("the composer is focused", () => composerFocused(page));
    });

    await step(
      "a draft is kept per chat across reloads and cleared by sending it",
      async () => {
        await box.fill("half a thought");
        await page.reload();
        await hydrated(page);
        await waitUntil(
          "the draft is back",
          async () => await box.inputValue() === "half a thought",
        );
        await page.goto(`${server.url}/chat/${carolName}`);
        await hydrated(page);
        assert.equal(await box.inputValue(), "", "another chat has its own");
        await page.goto(chatUrl);
        await hydrated(page);
        await waitUntil(
          "the draft is back",
          async () => await box.inputValue() === "half a thought",
        );
        await box.press("Enter");
        await page.locator(".msg.mine:not(.sending)", {
          hasText: "half a thought",
        }).waitFor();
        await page.reload();
        await hydrated(page);
        assert.equal(await box.inputValue(), "");
      },
    );

    await step(
      "a message the server refuses stays failed with edit and discard, and a reload never sends it",
      async () => {
        const api = `**/api/conversations/${bobName}/messages`;
        let refusedPosts = 0;
        await page.route(api, (route) => {
          if (route.request().method() !== "POST") return route.fallback();
          refusedPosts++;
          return route.fulfill({
            status: 422,
            contentType: "application/json",
            body:
              '{"error":{"code":"invalid_fields","message":"Not this one"}}',
          });
        });
        await box.fill("refused one");
        await box.press("Enter");
        await box.fill("refused two");
        await box.press("Enter");
        const failed = page.locator(".msg.failed");
        await waitUntil(
          "both show as failed",
          async () => await failed.count() === 2,
        );
        assert.equal(refusedPosts, 2);
        assert.equal(
          (await failed.first().locator(".meta").textContent())!
            .replace(/\s+/g, " ").trim(),
          "not sent — edit discard",
        );
        await page.unroute(api);

        // After a reload the refused messages are still shown, still unsent; a new
        // message goes through, and the outbox sends in order, so had either been sent
        // again the server would hold it before this one.
        await page.reload();
        await hydrated(page);
        await waitUntil(
          "both still show as failed",
          async () => await failed.count() === 2,
        );
        await box.fill("after the reload");
        await box.press("Enter");
        await waitUntil(
          "the new message reaches the server",
          async () => (await serverTexts(bob, me)).includes("after the reload"),
        );
        const held = await serverTexts(bob, me);
        assert.ok(
          !held.includes("refused one") && !held.includes("refused two"),
        );

        await failed.filter({ hasText: "refused one" })
          .getByRole("button", { name: "discard" }).click();
        await failed.filter({ hasText: "refused two" })
          .getByRole("button", { name: "edit" }).click();
        assert.equal(await failed.count(), 0);
        assert.equal(await box.inputValue(), "refused two");
        assert.ok(await composerFocused(page));
        await box.fill("");
        await page.reload();
        await hydrated(page);
        assert.equal(await failed.count(), 0, "discarded for good");
        assert.ok(!(await serverTexts(bob, me)).includes("refused one"));
      },
    );

    await step(
      "times on the chat list and in the chat are in the viewer's zone",
      async () => {
        await page.goto(`${server.url}/users`);
        await hydrated(page);
        const time = page.locator(".user-list time").first();
        const iso = (await time.getAttribute("datetime"))!;
        const expected = new Intl.DateTimeFormat("en-GB", {
          hour: "2-digit",
          minute: "2-digit",
          timeZone: ZONE,
        }).format(new Date(iso));
        await waitUntil(
          `the list shows ${expected}`,
          async () => await time.textContent() === expected,
        );
        await page.goto(chatUrl);
        await hydrated(page);
        const last = page.locator(".msg time").last();
        const lastIso = (await last.getAttribute("datetime"))!;
        const lastExpected = new Intl.DateTimeFormat("en-GB", {
          hour: "2-digit",
          minute: "2-digit",
          timeZone: ZONE,
        }).format(new Date(lastIso));
        await waitUntil(
          `the chat shows ${lastExpected}`,
          async () => await last.textContent() === lastExpected,
        );
      },
    );

    await step("no uncaught script errors", () => {
      assertNoErrors(errors);
      return Promise.resolve();
    });
  },
});
