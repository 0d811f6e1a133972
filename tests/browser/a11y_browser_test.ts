/**
 * Accessibility and the no-JavaScript path in a real browser: axe-core on every page in
 * both themes, the chat used with the keyboard alone, and the chat form with scripts off.
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
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
  PHONE,
  registerThroughForm,
  screenshot,
  seriousAxeViolations,
  skipBrowserTests,
  waitUntil,
  watchErrors,
} from "./browser.ts";

const api = messagesPath;

/** A browser context signed in as the TestClient's user (its session cookie copied). */
async function signedInContext(
  browser: Browser,
  client: TestClient,
  options = DESKTOP,
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(10_000);
  await context.addCookies(
    [...client.cookies].map(([name, value]) => ({
      name,
      value,
      url: client.baseUrl,
    })),
  );
  return context;
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(
    await seriousAxeViolations(page),
    [],
    `${what}: no serious or critical axe-core violations`,
  );
}

Deno.test({
  name:
    "every page passes axe-core, the chat works by keyboard alone and without JavaScript",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const base = server.url;
    const alice = new TestClient(base);
    const bob = new TestClient(base);
    // This file's server has its own in-memory KV, so plain names are free (and they
    // read better in the screenshots the README shows).
    const aliceName = await alice.register("alice");
    const bobName = await bob.register("bob");
    for (
      const [from, to, text] of [
        [alice, bobName, "Shall we meet at noon?"],
        [bob, aliceName, "Noon works. See you at the station!"],
        [alice, bobName, "Great, I’ll be there"],
        [bob, aliceName, "One more thing: bring the tickets"],
      ] as const
    ) {
      const res = await from.postJson(api(to), { text }, { origin: base });
      assert.equal(res.status, 201);
      await res.body?.cancel();
    }
    const errors: string[][] = [];

    for (const colorScheme of ["light", "dark"] as const) {
      await t.step(
        `login, register, chat list, chat, settings and error pages pass axe-core (${colorScheme})`,
        async () => {
          const anonymous = await browser.newContext({
            ...DESKTOP,
            colorScheme,
          });
          const page = await anonymous.newPage();
          errors.push(watchErrors(page));
          for (const path of ["/login", "/register"]) {
            await page.goto(`${base}${path}`);
            await assertAccessible(page, `${path} (${colorScheme})`);
          }
          await anonymous.close();
          const context = await signedInContext(browser, alice, {
            ...DESKTOP,
            colorScheme,
          });
          const signedIn = await context.newPage();
          errors.push(watchErrors(signedIn));
          await signedIn.goto(`${base}/users`);
          await assertAccessible(signedIn, `/users (${colorScheme})`);
          await screenshot(signedIn, `a11y-users-${colorScheme}`);
          await signedIn.goto(`${base}/chat/${bobName}`);
          await signedIn.locator(".chat").getByText("bring the tickets")
            .waitFor();
          await assertAccessible(signedIn, `/chat (${colorScheme})`);
          await screenshot(signedIn, `a11y-chat-${colorScheme}`);
          await signedIn.goto(`${base}/settings`);
          await assertAccessible(signedIn, `/settings (${colorScheme})`);
          await signedIn.goto(`${base}/chat/nobody_here`);
          await assertAccessible(signedIn, `404 page (${colorScheme})`);
          await context.close();
        },
      );
    }

    await t.step(
      "the chat can be used with the keyboard alone, with visible focus",
      async () => {
        const context = await signedInContext(browser, bob, PHONE);
        const page = await context.newPage();
        errors.push(watchErrors(page));
        await page.goto(`${base}/chat/${aliceName}`);
        const focusedNow = () =>
          page.evaluate(() => {
            const el = document.activeElement as HTMLElement;
            const style = getComputedStyle(el);
            return {
              id: el.id || el.getAttribute("aria-label") ||
                el.textContent?.trim() || el.tagName,
              outline: style.outlineStyle !== "none" &&
                parseFloat(style.outlineWidth) >= 2,
            };
          });
        // The composer has focus when the chat opens; from there Shift+Tab walks back
        // through the page and Tab forward again, every stop visibly focused.
        await waitUntil(
          "the composer has focus",
          async () => (await focusedNow()).id === "message-text",
        );
        const reached: string[] = [];
        for (const key of ["Shift+Tab", "Tab"]) {
          for (let i = 0; i < 12; i++) {
            await page.keyboard.press(key);
            const focused = await focusedNow();
            assert.ok(focused.outline, `focus is visible on ${focused.id}`);
            reached.push(focused.id);
            if (key === "Shift+Tab" && focused.id.startsWith("Messages with")) {
              break;
            }
            if (key === "Tab" && focused.id === "message-text") break;
          }
        }
        assert.equal(
          reached.at(-1),
          "message-text",
          "Tab reaches the composer",
        );
        assert.ok(
          reached.some((id) => id.startsWith("Messages with")) ||
            reached.includes("DIV"),
          "the message list can be focused to scroll it",
        );
        await page.keyboard.type("typed with the keyboard only");
        await page.keyboard.press("Enter");
        await page.locator(".msg.mine .tick").last().waitFor();
        assert.equal(
          await page.locator(".msg.mine .text").last().textContent(),
          "typed with the keyboard only",
        );
        await screenshot(page, "keyboard-phone-chat");
        await context.close();
      },
    );

    await t.step(
      "without JavaScript, people register, open a chat and send through the form",
      async () => {
        const context = await browser.newContext({
          ...DESKTOP,
          javaScriptEnabled: false,
        });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        const carolName = randomUsername("carol");
        await registerThroughForm(page, base, carolName);
        await page.getByRole("searchbox").fill(aliceName);
        await page.getByRole("button", { name: "Search" }).click();
        await page.getByRole("link", { name: new RegExp(aliceName) }).click();
        await page.waitForURL(`${base}/chat/${aliceName}`);
        await page.locator(".chat").getByText("No messages yet").waitFor();
        await page.getByLabel("Message", { exact: true }).fill(
          "no script needed",
        );
        await Promise.all([
          page.waitForURL(`${base}/chat/${aliceName}`),
          page.getByRole("button", { name: "Send" }).click(),
        ]);
        const bubble = page.locator(".msg.mine .text", {
          hasText: "no script needed",
        });
        await bubble.waitFor();
        assert.equal(await page.locator(".msg").count(), 1);
        // The list starts at its newest message even with no script to scroll it.
        for (let i = 2; i <= 15; i++) {
          await page.getByLabel("Message", { exact: true }).fill(`no-JS ${i}`);
          await Promise.all([
            page.waitForNavigation(),
            page.getByRole("button", { name: "Send" }).click(),
          ]);
        }
        const list = await page.locator(".messages").boundingBox();
        const newest = await page.locator(".chat").getByText("no-JS 15", {
          exact: true,
        })
          .boundingBox();
        assert.ok(list && newest);
        assert.ok(
          newest.y >= list.y &&
            newest.y + newest.height <= list.y + list.height,
          "the newest message is in view",
        );
        await screenshot(page, "nojs-desktop-chat");
        await context.close();
        const res = await alice.fetch(api(carolName));
        const body = await res.json();
        assert.equal(body.messages.length, 15);
        assert.equal(body.messages[0].text, "no script needed");
      },
    );

    await t.step("no uncaught script errors on any page", () => {
      assertNoErrors(errors.flat());
    });
  },
});
