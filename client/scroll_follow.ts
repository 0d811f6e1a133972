/**
 * The chat's scrolling: whether I am at the newest message, "N new messages" counted while
 * I read further up, the page above loading near the top, and a jump to the end after my
 * own send. The list grows from the bottom (column-reverse), so the browser keeps the
 * newest message in view by itself; only a send while reading further up jumps down.
 */
import type { RefObject } from "preact";
import type { Signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

/** Within this many pixels of the oldest message shown, the page before it loads. */
const OLDER_SLACK_PX = 200;
/** Within this many pixels of the newest message counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;

export interface ScrollFollow {
  /** Whether the newest message is in view. */
  atBottom: { current: boolean };
  /** Set to scroll to the newest message after the next render. */
  jumpToEnd: { current: boolean };
  onScroll(): void;
  /** The "new messages" button: scroll down smoothly. */
  showNewest(): void;
}

export function useScrollFollow(options: {
  scroller: RefObject<HTMLElement>;
  /** Messages from others that arrived below while I was reading further up. */
  newBelow: Signal<number>;
  loadOlder: () => void;
}): ScrollFollow {
  const { scroller: ref, newBelow } = options;
  const atBottom = useRef(true);
  const jumpToEnd = useRef(false);
  useEffect(() => {
    const scroller = ref.current;
    if (scroller && jumpToEnd.current) {
      jumpToEnd.current = false;
      scroller.scrollTop = 0;
      atBottom.current = true;
      newBelow.value = 0;
    }
  });
  return {
    atBottom,
    jumpToEnd,
    onScroll() {
      const scroller = ref.current;
      if (!scroller) return;
      // In a column-reverse scroller, 0 is the bottom and reading up goes negative.
      const up = Math.abs(scroller.scrollTop);
      atBottom.current = up < BOTTOM_SLACK_PX;
      if (atBottom.current) newBelow.value = 0;
      if (scroller.scrollHeight - scroller.clientHeight - up < OLDER_SLACK_PX) {
        options.loadOlder();
      }
    },
    showNewest() {
      ref.current?.scrollTo({ top: 0, behavior: "smooth" });
      newBelow.value = 0;
    },
  };
}
