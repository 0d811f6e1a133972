/**
 * Browser-test fixtures: Debian's Chromium driven by playwright-core (Playwright cannot
 * download its own browser here), plus helpers every browser test needs: registering
 * through the forms, catching script errors, screenshots and axe-core.
 */
import assert from "node:assert/strict";
import {
  type Browser,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";

/** Where Chromium lives; `CHROMIUM_PATH` overrides the Debian location. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ??
  "/usr/bin/chromium";

/** Browser tests write their screenshots here (git-ignored). */
export const SCREENSHOT_DIR =
  new URL("../../test-results/browser/", import.meta.url)
    .pathname;

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
}

/**
 * Whether to skip (Deno.test `ignore`): only when Chromium is missing outside CI, and then
 * loudly. Under `CI=true` the tests run and fail, so a CI without a browser cannot pass.
 */
export function skipBrowserTests(): boolean {
  if (chromiumInstalled()) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn(
    [
      "",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      `!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}`,
      "!! Install it with:  sudo apt-get install -y chromium",
      "!! (or set CHROMIUM_PATH). Under CI=true a missing browser fails.",
      "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      "",
    ].join("\n"),
  );
  return true;
}

/** Launches headless Chromium with a fresh temporary profile; use with `await using`. */
export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  if (!chromiumInstalled()) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: run "apt-get install -y chromium" (or set CHROMIUM_PATH)`,
    );
  }
  // launch() (not launchPersistentContext) gives every run its own throwaway profile.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
  });
  return Object.assign(browser, {
    [Symbol.asyncDispose]: () => browser.close(),
  });
}

/** A laptop-sized window. */
export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  locale: "en-GB",
};

/** An iPhone SE-sized phone screen with touch. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "en-GB",
};

/**
 * Collects uncaught script errors and CSP violations of a page; assert the list is empty
 * at the end of a test.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // A blocked script is a broken page. (Blocked inline style attributes are not:
    // styles.css covers the runtime's island wrapper.)
    if (
      message.type() === "error" &&
      /Content Security Policy directive '(script-src|default-src)/i.test(
        message.text(),
      )
    ) errors.push(`csp: ${message.text()}`);
  });
  return errors;
}

/** Saves a full-window screenshot as test-results/browser/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` });
}

/** Creates an account through the register form; ends on /users. */
export async function registerThroughForm(
  page: Page,
  baseUrl: string,
  username: string,
  password = "correct horse battery",
): Promise<void> {
  await page.goto(`${baseUrl}/register`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await Promise.all([
    page.waitForURL(`${baseUrl}/users`),
    page.getByRole("button", { name: "Create account" }).click(),
  ]);
}

const AXE_SOURCE = await Deno.readTextFile(
  new URL("../../node_modules/axe-core/axe.min.js", import.meta.url),
);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core (WCAG 2.x A/AA) on the page; returns serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, so the page's CSP (scripts from 'self' only)
  // does not block it and the page runs under its real policy.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations;
  }) as AxeViolation[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) =>
      `${v.id} (${v.impact}): ${v.help} at ${
        v.nodes.map((n) => n.target.join(" ")).join(", ")
      }`
    );
}

/** Asserts that no script error or CSP violation happened. */
export function assertNoErrors(errors: string[]): void {
  assert.deepEqual(errors, [], "no uncaught script errors or CSP violations");
}

/** Polls `condition` until it is truthy (or throws after `timeoutMs`); returns its value. */
export async function waitUntil<T>(
  what: string,
  condition: () => T | Promise<T>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await condition();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  throw new Error(`Timed out waiting until ${what} (last value: ${last})`);
}
