/**
 * Date formatting shared by server pages and the chat island. The server (and the
 * island's first, hydrating render) uses UTC so both produce the same markup; once
 * mounted, the island switches to the browser's own time zone and locale.
 */

export interface Clock {
  /** IANA zone, or undefined for the runtime's local zone. */
  timeZone?: string;
  /** BCP 47 locale, or undefined for the runtime's default. */
  locale?: string;
  now: Date;
}

export const SERVER_CLOCK_ZONE = "UTC";

type Style = "time" | "dayKey" | "day";

const STYLES: Record<Style, Intl.DateTimeFormatOptions> = {
  time: { hour: "2-digit", minute: "2-digit" },
  dayKey: { year: "numeric", month: "2-digit", day: "2-digit" },
  day: { weekday: "short", day: "numeric", month: "short", year: "numeric" },
};

/**
 * Building an `Intl.DateTimeFormat` costs far more than using one, and on the server each
 * one pinned memory that was never given back (bench/page_memory.ts: 286 MB RSS after 100
 * chat page views, 347 MB after 1,000 more; with this cache 91 and 93). So there is one per
 * style, locale and zone; the key space is three styles times the zones and locales seen.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(
  style: Style,
  locale: string,
  timeZone: string | undefined,
): Intl.DateTimeFormat {
  const key = `${style}|${locale}|${timeZone ?? ""}`;
  let cached = formatters.get(key);
  if (!cached) {
    cached = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone });
    formatters.set(key, cached);
  }
  return cached;
}

/** `14:05` in the clock's zone (plus ` UTC` when rendering for no particular zone). */
export function formatTime(iso: string, clock: Clock): string {
  const text = formatter("time", clock.locale ?? "en-GB", clock.timeZone)
    .format(new Date(iso));
  return clock.timeZone === SERVER_CLOCK_ZONE ? `${text} UTC` : text;
}

/** `2026-11-24`-style key of the calendar day in the clock's zone, for grouping. */
export function dayKey(iso: string, clock: Pick<Clock, "timeZone">): string {
  return formatter("dayKey", "en-CA", clock.timeZone).format(new Date(iso));
}

/** "Today", "Yesterday", or a date such as "Mon, 3 Nov 2026". */
export function formatDay(iso: string, clock: Clock): string {
  const key = dayKey(iso, clock);
  if (key === dayKey(clock.now.toISOString(), clock)) return "Today";
  const yesterday = new Date(clock.now.getTime() - 24 * 60 * 60 * 1000);
  if (key === dayKey(yesterday.toISOString(), clock)) return "Yesterday";
  return formatter("day", clock.locale ?? "en-GB", clock.timeZone).format(
    new Date(iso),
  );
}

/** Short time for a list row: the time today, else the day. */
export function formatWhen(iso: string, clock: Clock): string {
  const day = formatDay(iso, clock);
  return day === "Today" ? formatTime(iso, clock) : day;
}
