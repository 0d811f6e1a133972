import assert from "node:assert/strict";
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
import {
  messagesPath,
  randomUsername,
  startTestServer,
  TestClient,
} from "../helpers.ts";
import { conversationId } from "../../lib/db/db.ts";

Deno.test({
  name:
    "in Chromium the inbox keeps the list live, pages history in place, marks the unread run and notifies",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const context = await browser.newContext(DESKTOP);
    context.setDefaultTimeout(10_000);
    await context.grantPermissions(["notifications"], { origin: server.url });
    // Records notifications instead of showing them (a headless browser has no desktop).
    await context.addInitScript(() => {
      const Real = globalThis.Notification;
      // deno-lint-ignore no-explicit-any
      const shown: string[] = (globalThis as any).__shown = [];
      globalThis.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(`${title}: ${options?.body}`);
        }
      } as typeof Notification;
    });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const base = server.url;
    const aliceName = randomUsername("alice");
    await registerThroughForm(page, base, aliceName);
    const alice = (await server.db.getUserByName(aliceName))!;
    const clients = new Map<string, TestClient>();
    const [bob, carol, dave] = await Promise.all(
      ["bob", "carol", "dave"].map(async (n) => {
        const client = new TestClient(base);
        const name = await client.register(randomUsername(n));
        const user = (await server.db.getUserByName(name))!;
        clients.set(user.id, client);
        return user;
      }),
    );
    // Through the HTTP API, as a person would: the running server wakes the stream.
    const sendVia = async (from: typeof bob, text: string) => {
      const res = await clients.get(from.id)!.postJson(
        messagesPath(aliceName),
        {
          text,
        },
      );
      assert.equal(res.status, 201);
      await res.body?.cancel();
    };
    let broken = false;
    const step = async (name: string, fn: () => Promise<void>) => {
      if (!await t.step({ name, ignore: broken, fn })) broken = true;
    };

    await step("the notifications control asks only when pressed", async () => {
      const button = page.getByRole("button", {
        name: "Turn on notifications",
      });
      await button.click();
      await page.getByRole("button", { name: "Notifications on" }).waitFor();
      assert.equal(
        await page.getByRole("checkbox", { name: "Sound" }).isChecked(),
        false,
        "sound is off by default",
      );
    });

    await step(
      "the list reorders, previews and counts live as a third person writes",
      async () => {
        await sendVia(bob, "bob first");
        await sendVia(carol, "carol second");
        const rows = page.locator(".conversation-list li");
        await waitUntil(
          "carol on top",
          async () => (await rows.first().innerText()).includes(carol.username),
        );
        await sendVia(dave, "dave writes in between");
        await waitUntil(
          "dave moves to the top with a badge, live",
          async () => {
            const top = await rows.first().innerText();
            return top.includes(dave.username) &&
              top.includes("dave writes in between");
          },
          20_000,
        );
        await sendVia(bob, "bob again");
        await waitUntil(
          "bob back on top with 2 unread",
          async () => {
            const top = rows.first();
            return (await top.innerText()).includes(bob.username) &&
              await top.locator(".badge").innerText() === "2";
          },
          20_000,
        );
        // The title follows the list in an effect that runs after the render.
        await waitUntil(
          "the title counts them",
          async () => /^\(4\) /.test(await page.title()),
        );
        await screenshot(page, "inbox-01-live-list");
      },
    );

    await step("a chat that is not open notifies", async () => {
      await waitUntil(
        "bob's message was notified",
        () =>
          page.evaluate(() =>
            // deno-lint-ignore no-explicit-any
            ((globalThis as any).__shown as string[]).some((s) =>
              s.includes("bob again")
            )
          ),
      );
    });

    await step(
      "a long unread run opens at its first message under the divider",
      async () => {
        for (let i = 1; i <= 120; i++) {
          await server.db.sendMessage({
            from: carol,
            to: alice,
            text: `c${i}`,
          });
        }
        await page.goto(`${base}/chat/${carol.username}`);
        const divider = page.locator("#unread-divider");
        await divider.waitFor();
        assert.equal(await divider.innerText(), "121 unread messages");
        const first = page.locator(".chat .msg", { hasText: "carol second" });
        assert.ok(await first.isVisible());
        // The rest of the run (beyond the first page) is fetched after the page loads.
        await page.locator(".chat .msg .text", { hasText: /^c120$/ }).waitFor({
          state: "attached",
        });
        await screenshot(page, "inbox-02-unread-divider");
      },
    );

    await step(
      "scrolling to the top loads older pages without moving what is on screen",
      async () => {
        for (let i = 1; i <= 150; i++) {
          await server.db.sendMessage({ from: dave, to: alice, text: `d${i}` });
        }
        const cid = conversationId(alice.id, dave.id);
        await server.db.markRead(alice.id, cid, 10_000);
        await page.goto(`${base}/chat/${dave.username}`);
        await page.locator(".chat .msg .text", { hasText: /^d150$/ }).waitFor();
        assert.equal(
          await page.locator(".chat .msg .text", { hasText: /^d100$/ }).count(),
          0,
          "only the newest page at first",
        );
        const before = await page.evaluate(() => {
          const scroller = document.querySelector(".messages")!;
          const anchor = [...document.querySelectorAll(".msg .text")]
            .find((e) => e.textContent === "d102")!;
          scroller.scrollTop = -scroller.scrollHeight;
          scroller.dispatchEvent(new Event("scroll"));
          return anchor.getBoundingClientRect().top;
        });
        await page.locator(".chat .msg .text", { hasText: /^d60$/ }).waitFor({
          state: "attached",
        });
        const after = await page.evaluate(() =>
          [...document.querySelectorAll(".msg .text")]
            .find((e) => e.textContent === "d102")!.getBoundingClientRect().top
        );
        assert.ok(Math.abs(after - before) < 2, `${before} → ${after}`);
      },
    );

    await step("no uncaught script errors", () => {
      assertNoErrors(errors);
      return Promise.resolve();
    });
  },
});
