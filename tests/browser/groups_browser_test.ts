/**
 * Groups in a real browser: three people, a group made through the no-JS form, live
 * messages with the sender's name above the others' bubbles, "read by" in a message's info,
 * "carol is typing…", a rename, a fourth person added and removed (who then can read
 * nothing more, not even the files of the group).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { randomUsername, startTestServer } from "../helpers.ts";
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

function bubbleTexts(page: Page): Promise<string[]> {
  return page.locator(".message-list .msg .text").allTextContents();
}

function systemTexts(page: Page): Promise<string[]> {
  return page.locator(".message-list .system").allTextContents();
}

async function sendWithEnter(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

Deno.test({
  name:
    "three people make a group in Chromium, chat, rename it, add and remove a fourth",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = await startTestServer();
    await using browser = await launchBrowser();
    const pages: Page[] = [];
    const names: string[] = [];
    for (const who of ["alice", "bob", "carol", "dave"]) {
      const context = await browser.newContext(DESKTOP);
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const name = randomUsername(who);
      await registerThroughForm(page, server.url, name);
      pages.push(page);
      names.push(name);
    }
    const [alice, bob, carol, dave] = pages;
    const errors = pages.slice(0, 3).map(watchErrors);

    await alice.goto(`${server.url}/groups/new`);
    await alice.getByLabel("Group name").fill("Trip");
    await alice.getByLabel("Members").fill(`${names[1]}, ${names[2]}`);
    await Promise.all([
      alice.waitForURL(/\/groups\/[0-9a-f-]{36}$/),
      alice.getByRole("button", { name: "Create group" }).click(),
    ]);
    const groupUrl = alice.url();
    // Bob finds it in his chat list, Carol opens it directly.
    await bob.goto(`${server.url}/users`);
    await bob.locator(`[data-conversation="Trip"] a`).click();
    await bob.waitForURL(groupUrl);
    await carol.goto(groupUrl);

    await sendWithEnter(alice, "Where do we meet?");
    await waitUntil(
      "bob sees alice's message",
      async () => (await bubbleTexts(bob)).includes("Where do we meet?"),
    );
    const sender = bob.locator(".msg.theirs .sender").last();
    assert.equal(await sender.textContent(), names[0]);
    assert.equal(await alice.locator(".msg.mine .sender").count(), 0);
    await sendWithEnter(bob, "At the station");
    await waitUntil("carol sees both, in order", async () => {
      const texts = await bubbleTexts(carol);
      return texts.join("|") === "Where do we meet?|At the station";
    });
    await screenshot(carol, "group-chat");

    // Both read alice's message: her ticks turn "read", and its info says by whom.
    const tick = alice.locator(".msg.mine .tick").first();
    await waitUntil(
      "alice's message shows read",
      async () => (await tick.getAttribute("data-status")) === "read",
    );
    await alice.locator(".msg.mine button.msg-info").first().click();
    const readBy = alice.locator("#message-info .read-by");
    await waitUntil("read by bob and carol", async () => {
      const text = (await readBy.textContent()) ?? "";
      return text.includes(names[1]) && text.includes(names[2]);
    });
    await screenshot(alice, "group-message-info");
    await alice.keyboard.press("Escape");
    await waitUntil(
      "the info closes",
      async () => !(await alice.locator("#message-info").isVisible()),
    );

    // Carol types: alice's header and bob's header say who.
    await carol.getByLabel("Message", { exact: true }).fill("Runn");
    for (const page of [alice, bob]) {
      await waitUntil(
        "the header says carol is typing",
        async () =>
          ((await page.locator(".chat-header .peer-status").textContent()) ??
            "").includes(`${names[2]} is typing…`),
      );
    }
    await waitUntil(
      "bob's chat list says it too",
      async () =>
        ((await bob.locator(`[data-conversation="Trip"] .user-preview`)
          .textContent()) ?? "").includes(`${names[2]} is typing…`),
    );
    await carol.getByLabel("Message", { exact: true }).fill("");

    await alice.locator(".group-members summary").click();
    await alice.getByLabel("Group name", { exact: true }).fill("Trip 2026");
    await alice.getByRole("button", { name: "Rename" }).click();
    await waitUntil(
      "bob sees the rename live",
      async () =>
        (await systemTexts(bob)).some((t) =>
          t.includes("renamed the group to “Trip 2026”")
        ),
    );

    await alice.locator(".group-members summary").click();
    await alice.getByLabel("Add member").fill(names[3]);
    await alice.getByRole("button", { name: "Add" }).click();
    await dave.goto(groupUrl);
    await sendWithEnter(carol, "Welcome dave");
    await waitUntil(
      "dave sees carol's welcome",
      async () => (await bubbleTexts(dave)).includes("Welcome dave"),
    );
    assert.ok(
      !(await bubbleTexts(dave)).includes("Where do we meet?"),
      "history from his joining",
    );

    await alice.locator(".group-members summary").click();
    await alice.locator(`[data-member="${names[3]}"]`).getByRole("button", {
      name: "Remove",
    }).click();
    await waitUntil(
      "carol sees the removal",
      async () =>
        (await systemTexts(carol)).some((t) =>
          t.includes(`removed ${names[3]}`)
        ),
    );
    await sendWithEnter(bob, "Secret plan");
    await waitUntil(
      "carol gets the secret",
      async () => (await bubbleTexts(carol)).includes("Secret plan"),
    );
    assert.ok(
      !(await bubbleTexts(dave)).includes("Secret plan"),
      "dave's open tab gets nothing more",
    );
    const reloaded = await dave.goto(groupUrl);
    assert.equal(reloaded?.status(), 404);
    // Nor through the API, with his own session: history, receipts and uploads are 404.
    const gid = groupUrl.split("/").at(-1)!;
    const statuses = await dave.evaluate(async (id) => {
      const get = (path: string) => fetch(path).then((r) => r.status, () => 0);
      return [
        await get(`/api/groups/${id}/messages`),
        await get(`/api/groups/${id}`),
        await fetch(`/api/groups/${id}/attachments`, {
          method: "POST",
          body: new FormData(),
        }).then((r) => r.status, () => 0),
      ];
    }, gid);
    assert.deepEqual(statuses, [404, 404, 404]);
    for (const e of errors) assertNoErrors(e);
  },
});
