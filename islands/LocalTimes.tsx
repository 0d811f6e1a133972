/**
 * Puts server-rendered times into the viewer's own zone. The server renders every time
 * as `<time datetime="…" data-format="when">14:05 UTC</time>` (it does not know the
 * viewer's zone); this island, placed once on a page, rewrites those outside other
 * islands in the browser's zone and locale. It renders nothing itself.
 */
import { useEffect } from "preact/hooks";
import { formatWhen } from "../components/format.ts";

/** The `data-format` values this island understands. */
export type TimeFormat = "when";

export default function LocalTimes() {
  useEffect(() => {
    const clock = { now: new Date() };
    for (
      const el of document.querySelectorAll<HTMLTimeElement>(
        "time[data-format=when]",
      )
    ) {
      const iso = el.dateTime;
      if (!Number.isNaN(Date.parse(iso))) {
        el.textContent = formatWhen(iso, clock);
      }
    }
  }, []);
  return null;
}
