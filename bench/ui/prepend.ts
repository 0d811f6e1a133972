/**
 * The "prepend 100 older messages" figure of `deno task bench:ui`: in a chat with a long
 * history, clicks "Older messages" (`li.older a`) and times in the page from the click to
 * the task after the next animation frame once the page of older rows is in the DOM and
 * laid out, i.e. when the user sees it. Also checks that the view stayed anchored: the
 * row at the top of the viewport before the click is at the same place after it.
 */
import type { Page } from "playwright-core";

/** What one click measured in the page. */
interface PrependTime {
  ms: number;
  added: number;
  /** How far the top visible row moved (px); 0 when anchored. */
  moved: number;
}

/** Times `pages` prepends in a row; throws when one did not add rows or jumped. */
export async function measurePrepend(
  page: Page,
  pages: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < pages; i++) {
    const t = await page.evaluate(prependOnce, 30_000);
    if (t.added === 0) throw new Error(`prepend ${i + 1} added no rows`);
    if (Math.abs(t.moved) >= 2) {
      throw new Error(`prepend ${i + 1} moved the view by ${t.moved} px`);
    }
    times.push(t.ms);
  }
  return times;
}

/** Runs in the page: one click on "Older messages", timed to the frame after it. */
function prependOnce(timeoutMs: number): Promise<PrependTime> {
  const list = document.querySelector(".message-list")!;
  const scroller = document.querySelector(".messages")!;
  const rowCount = () => list.querySelectorAll(".msg").length;
  const view = scroller.getBoundingClientRect();
  // The first row whose top edge is inside the visible part of the list.
  const top = [...list.querySelectorAll(".msg")].find((row) => {
    const r = row.getBoundingClientRect();
    return r.bottom > view.top && r.top >= view.top;
  });
  if (!top) throw new Error("no row on screen");
  const topBefore = top.getBoundingClientRect().top;
  const rowsBefore = rowCount();
  const link = list.querySelector<HTMLElement>("li.older a");
  if (!link) throw new Error("no Older messages link");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error("no older rows arrived"));
    }, timeoutMs);
    // Childlist changes come in with the re-render that prepends the page; the island's
    // layout effect has re-anchored the scroller by the time the observer runs.
    const observer = new MutationObserver(() => {
      if (rowCount() === rowsBefore) return;
      observer.disconnect();
      clearTimeout(timer);
      void document.body.offsetHeight;
      // rAF runs just before the frame is painted; the task after it, once it has been.
      requestAnimationFrame(() =>
        setTimeout(() => {
          resolve({
            ms: performance.now() - began,
            added: rowCount() - rowsBefore,
            moved: top.getBoundingClientRect().top - topBefore,
          });
        }, 0)
      );
    });
    observer.observe(list, { childList: true, subtree: true });
    const began = performance.now();
    link.click();
  });
}
