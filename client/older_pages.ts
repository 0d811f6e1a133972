/**
 * Older pages of a chat: loads the page before the first message shown and prepends it
 * without moving what is on screen. A Preact hook for the chat island.
 */
import { type Signal, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import type { PublicMessage } from "../lib/messages.ts";

/** The page size when scrolling back: the most the API gives in one request. */
const OLDER_PAGE = 100;

export interface OlderPages {
  /** The cursor of the page above the first message shown, or null at the very first. */
  older: Signal<string | null>;
  /** Loads and prepends that page (a no-op while one is loading or at the first). */
  loadOlder(event?: Event): Promise<void>;
}

/** Paging backwards through `apiUrl` into `messages`, anchored in `scroller`. */
export function useOlderPages(options: {
  apiUrl: string;
  messages: Signal<PublicMessage[]>;
  scroller: RefObject<HTMLElement>;
  initial: string | null;
}): OlderPages {
  const { apiUrl, messages, scroller } = options;
  const older = useSignal(options.initial);
  const loading = useRef(false);
  /** A row and where it was before older rows went in above it, to put it back there. */
  const anchor = useRef<{ row: Element; top: number } | null>(null);

  // Before paint, so the prepended page never shows at the wrong offset for a frame.
  useLayoutEffect(() => {
    const a = anchor.current;
    const el = scroller.current;
    if (!a || !el || !a.row.isConnected) return;
    anchor.current = null;
    el.scrollTop += a.row.getBoundingClientRect().top - a.top;
  });

  async function loadOlder(event?: Event) {
    event?.preventDefault();
    if (!older.value || loading.current) return;
    loading.current = true;
    try {
      const res = await fetch(
        `${apiUrl}?before=${
          encodeURIComponent(older.value)
        }&limit=${OLDER_PAGE}`,
        { cache: "no-store" },
      );
      if (!res.ok) return;
      const page: { messages: PublicMessage[]; older?: string | null } =
        await res.json();
      const known = new Set(messages.value.map((m) => m.id));
      // Chromium keeps a scroller pinned at its top edge when rows go in above, which
      // would jump; the layout effect above moves this row back where it was instead.
      const row = scroller.current?.querySelector(".msg");
      anchor.current = row
        ? { row, top: row.getBoundingClientRect().top }
        : null;
      messages.value = [
        ...page.messages.filter((m) => !known.has(m.id)),
        ...messages.value,
      ];
      older.value = page.older ?? null;
    } catch {
      // Offline: scrolling up again retries.
    } finally {
      loading.current = false;
    }
  }

  return { older, loadOlder };
}
