/**
 * `deno task bench:ui`: what typing costs in the chat island as history grows (issue 11,
 * point 7). Seeds two chats of 50 messages into a temp KV and runs the real server
 * (main.ts, as `deno task start` does) in its own process. Headless Chromium opens one
 * chat as it is (the baseline); in the other, 1,950 more messages arrive while it is open,
 * so 2,000 are on screen (the page itself renders the newest 50). Then it types into the
 * composer, one key at a time, and times each keystroke in the page:
 * - "work": from the first keydown handler to just after the re-render the input causes,
 *   plus a forced style and layout: the cost of a keystroke in the page itself;
 * - "frame": from the same moment to the task after the next animation frame, which
 *   adds waiting for the frame clock (up to 16.7 ms whatever the work).
 * Wall-clock figures: on a machine busy with other work they include its preemptions.
 * Prints p50/p95/max per chat; target: "work" p95 under 16 ms at 2,000 messages.
 * A third chat ("history", 2,050 messages, read, opening on its newest 50) is paged back
 * ten times with "Older messages", 100 rows each (bench/ui/prepend.ts): p50/p95 from
 * the click to the frame after the rows are in, the fetch included, view anchored.
 */
import type { Page } from "playwright-core";
import { SESSION_COOKIE } from "../../server/auth.ts";
import { DESKTOP, launchBrowser } from "../../tests/browser/browser.ts";
import { percentile } from "../measure.ts";
import { spawnServer, tempKvDir } from "../server_process.ts";
import { measurePrepend } from "./prepend.ts";
import {
  addMessages,
  markAllRead,
  seedChats,
  type SeededChat,
} from "./seed_chats.ts";

const BASELINE_MESSAGES = 50;
const LARGE_MESSAGES = 2000;
const WARM_UP_KEYS = 10;
/** `BENCH_UI_KEYS` shortens a run (e.g. against a slow build, to compare). */
const MEASURED_KEYS = Number(Deno.env.get("BENCH_UI_KEYS") ?? 200);
const TARGET_P95_MS = 16;
/** The history chat: the newest page on screen, this many older ones to page through. */
const HISTORY_OLDER = 2000;
/** Clicks on "Older messages", 100 rows each (the island's page size). */
const PREPEND_PAGES = 10;
const TEXT = "the quick brown fox jumps over the lazy dog ";

interface KeyTimes {
  work: number[];
  frame: number[];
}

interface Row {
  label: string;
  messages: number;
  keystrokesMs: number[];
  frameMs: number[];
  /** Per click on "Older messages"; null in chats with no older history. */
  prependMs: number[] | null;
}

/** Installs the in-page timer: per keystroke, `window.keyTimes.work` and `.frame`. */
async function installKeyTimer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const times = { work: [] as number[], frame: [] as number[] };
    (globalThis as unknown as { keyTimes: KeyTimes }).keyTimes = times;
    const box = document.getElementById("message-text")!;
    let began = 0;
    box.addEventListener("keydown", () => {
      // From the first handler of the key, not event.timeStamp: the delay before it is
      // the test driver's and the machine's, the same whatever the page holds.
      began = performance.now();
      // rAF runs just before the frame is painted; the task after it, once it has been.
      requestAnimationFrame(() =>
        setTimeout(() => times.frame.push(performance.now() - began), 0)
      );
    }, { capture: true });
    // Bubbling to the document, after the island's own input handler. Preact re-renders
    // in a microtask queued by that handler, so a microtask queued here runs after the
    // re-render; reading offsetHeight then adds the style and layout it caused.
    document.addEventListener("input", () => {
      queueMicrotask(() => {
        void document.body.offsetHeight;
        times.work.push(performance.now() - began);
      });
    });
  });
}

/** Types `count` characters one by one, each once the previous one was measured. */
async function typeMeasured(page: Page, count: number): Promise<KeyTimes> {
  await page.evaluate(() => {
    const times = (globalThis as unknown as { keyTimes: KeyTimes }).keyTimes;
    times.work.length = 0;
    times.frame.length = 0;
  });
  for (let i = 0; i < count; i++) {
    await page.keyboard.type(TEXT[i % TEXT.length]);
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { keyTimes: KeyTimes }).keyTimes.frame
          .length >= n,
      i + 1,
    );
  }
  return await page.evaluate(() =>
    structuredClone((globalThis as unknown as { keyTimes: KeyTimes }).keyTimes)
  );
}

/** Resolves once the island has hydrated and shows at least `count` messages. */
async function showing(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) =>
      document.querySelector("script[data-island-props]") === null &&
      document.querySelectorAll(".message-list .msg").length >= n,
    count,
    { timeout: 180_000 },
  );
}

async function measureChat(
  page: Page,
  options: {
    url: string;
    kvPath: string;
    chat: SeededChat;
    label: string;
    onScreen: number;
  },
): Promise<Row> {
  const { chat } = options;
  await page.goto(`${options.url}/chat/${encodeURIComponent(chat.peer)}`);
  await showing(page, chat.messages);
  if (options.onScreen > chat.messages) {
    await addMessages(options.kvPath, chat, options.onScreen - chat.messages);
    await showing(page, options.onScreen);
  }
  await page.locator("#message-text").focus();
  await installKeyTimer(page);
  await typeMeasured(page, WARM_UP_KEYS);
  await page.locator("#message-text").fill("");
  const times = await typeMeasured(page, MEASURED_KEYS);
  return {
    label: options.label,
    messages: await page.locator(".message-list .msg").count(),
    keystrokesMs: times.work,
    frameMs: times.frame,
    prependMs: null,
  };
}

/** Opens the history chat (its newest page) and pages back `PREPEND_PAGES` times. */
async function measureHistory(
  page: Page,
  url: string,
  chat: SeededChat,
): Promise<Row> {
  await page.goto(`${url}/chat/${encodeURIComponent(chat.peer)}`);
  await showing(page, BASELINE_MESSAGES);
  const prependMs = await measurePrepend(page, PREPEND_PAGES);
  return {
    label: "history",
    messages: await page.locator(".message-list .msg").count(),
    keystrokesMs: [],
    frameMs: [],
    prependMs,
  };
}

function format(row: Row): string {
  const ms = (values: number[], p: number) =>
    (values.length ? percentile(values, p).toFixed(1) : "–").padStart(6);
  const cells = [
    row.label.padEnd(9),
    String(row.messages).padStart(8),
    String(row.keystrokesMs.length).padStart(4),
    ms(row.keystrokesMs, 50),
    ms(row.keystrokesMs, 95),
    (row.keystrokesMs.length ? Math.max(...row.keystrokesMs).toFixed(1) : "–")
      .padStart(6),
    ms(row.frameMs, 50),
    ms(row.frameMs, 95),
    (row.prependMs === null
      ? "n/a"
      : `${percentile(row.prependMs, 50).toFixed(1)} / ${
        percentile(row.prependMs, 95).toFixed(1)
      }`).padStart(14),
  ];
  return `| ${cells.join(" | ")} |`;
}

if (import.meta.main) {
  const began = performance.now();
  console.log(
    `Natter UI benchmark, ${new Date().toISOString()}\n` +
      `Chromium (headless), Deno ${Deno.version.deno}; ${MEASURED_KEYS} keystrokes ` +
      `per chat after ${WARM_UP_KEYS} warm-up ones.\n`,
  );
  await using dir = await tempKvDir();
  const kvPath = dir.path("bench_ui");
  const [baseline, large, history] = await seedChats(kvPath, [
    BASELINE_MESSAGES,
    BASELINE_MESSAGES,
    BASELINE_MESSAGES + HISTORY_OLDER,
  ]);
  await markAllRead(kvPath, history);
  await using server = await spawnServer({ kvPath });
  await using browser = await launchBrowser();
  const rows: Row[] = [];
  const chats = [
    [baseline, "baseline", BASELINE_MESSAGES],
    [large, "large", LARGE_MESSAGES],
  ] as const;
  const open = async (chat: SeededChat) => {
    const context = await browser.newContext(DESKTOP);
    const [name, value] = chat.viewer.cookie.split("=");
    if (name !== SESSION_COOKIE) throw new Error("unexpected cookie");
    await context.addCookies([{ name, value, url: server.url }]);
    return { context, page: await context.newPage() };
  };
  for (const [chat, label, onScreen] of chats) {
    const { context, page } = await open(chat);
    rows.push(
      await measureChat(page, {
        url: server.url,
        kvPath,
        chat,
        label,
        onScreen,
      }),
    );
    await context.close();
  }
  {
    const { context, page } = await open(history);
    rows.push(await measureHistory(page, server.url, history));
    await context.close();
  }
  console.log(
    "|           |          |      | work per keystroke     | to next frame   | prepend 100 ms |",
  );
  console.log(
    "| chat      | messages | keys | p50 ms | p95 ms | max ms | p50 ms | p95 ms |      p50 / p95 |",
  );
  console.log(
    "| --------- | -------: | ---: | -----: | -----: | -----: | -----: | -----: | -------------: |",
  );
  for (const row of rows) console.log(format(row));
  const [base, big, paged] = rows;
  const p95 = (row: Row) => percentile(row.keystrokesMs, 95);
  console.log(
    `\n  large/baseline: p50 ${
      (percentile(big.keystrokesMs, 50) / percentile(base.keystrokesMs, 50))
        .toFixed(1)
    }×, p95 ${(p95(big) / p95(base)).toFixed(1)}×`,
  );
  const ok = p95(big) < TARGET_P95_MS;
  console.log(
    `  ${
      ok ? "PASS" : "MISS"
    }  keystroke p95 at ${LARGE_MESSAGES} messages under ${TARGET_P95_MS} ms`,
  );
  const prepend = paged.prependMs!;
  console.log(
    `  prepend 100 older messages, ${prepend.length} clicks (${BASELINE_MESSAGES} → ${paged.messages} rows), view anchored: ` +
      `p50 ${percentile(prepend, 50).toFixed(1)} ms, p95 ${
        percentile(prepend, 95).toFixed(1)
      } ms, max ${Math.max(...prepend).toFixed(1)} ms ` +
      `(baseline keystroke to next frame p50 ${
        percentile(base.frameMs, 50).toFixed(1)
      } ms)`,
  );
  console.log(`\nDone in ${((performance.now() - began) / 1000).toFixed(0)} s`);
}
