/**
 * Reports what was actually read: the newest of the peer's messages that is on screen
 * (mostly visible inside the scroller) while the tab is visible. Reports only move forward
 * and are coalesced, so scrolling through a long history costs a few requests, not one per
 * message. The server keeps the position monotonic anyway.
 * Browser-only; the server never imports this.
 */
export interface ReadReporter {
  /** Looks again (after the tab became visible, or the list changed). */
  check(): void;
  stop(): void;
}

const ROW_SELECTOR = "li.msg.theirs[data-message-id]";
const DEBOUNCE_MS = 300;

/** Watches the peer's message rows inside `root` and posts `{upTo}` to `url`. */
export function startReadReporter(
  options: { url: string; root: HTMLElement },
): ReadReporter {
  const visible = new Set<Element>();
  const observed = new WeakSet<Element>();
  let reported: Element | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const intersection = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) visible.add(e.target);
      else visible.delete(e.target);
    }
    check();
  }, { root: options.root, threshold: 0.6 });

  const observeRows = () => {
    for (const row of options.root.querySelectorAll(ROW_SELECTOR)) {
      if (observed.has(row)) continue;
      observed.add(row);
      intersection.observe(row);
    }
  };
  const mutations = new MutationObserver(observeRows);
  mutations.observe(options.root, { childList: true, subtree: true });
  observeRows();

  /** True when `a` comes after `b` in the list (is newer). */
  const after = (a: Element, b: Element) =>
    Boolean(b.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);

  function check() {
    if (document.visibilityState !== "visible") return;
    let newest: Element | null = null;
    for (const row of visible) {
      if (!row.isConnected) {
        visible.delete(row);
        continue;
      }
      if (!newest || after(row, newest)) newest = row;
    }
    if (!newest || (reported?.isConnected && !after(newest, reported))) return;
    reported = newest;
    clearTimeout(timer);
    timer = setTimeout(() => send(newest!), DEBOUNCE_MS);
  }

  function send(row: Element) {
    const upTo = row.getAttribute("data-message-id");
    if (!upTo) return;
    fetch(options.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ upTo }),
      keepalive: true,
    }).catch(() => {
      // Offline: the next visible message reports a position at least as far.
      if (reported === row) reported = null;
    });
  }

  const onVisibility = () => check();
  document.addEventListener("visibilitychange", onVisibility);
  return {
    check,
    stop() {
      clearTimeout(timer);
      intersection.disconnect();
      mutations.disconnect();
      document.removeEventListener("visibilitychange", onVisibility);
    },
  };
}
