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

/** `14:05` in the clock's zone (plus ` UTC` when rendering for no particular zone). */
export function formatTime(iso: string, clock: Clock): string {
  const text = new Intl.DateTimeFormat(clock.locale ?? "en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: clock.timeZone,
  }).format(new Date(iso));
  return clock.timeZone === SERVER_CLOCK_ZONE ? `${text} UTC` : text;
}

/** `2026-11-24`-style key of the calendar day in the clock's zone, for grouping. */
export function dayKey(iso: string, clock: Pick<Clock, "timeZone">): string {
  return new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: clock.timeZone,
  }).format(new Date(iso));
}

/** "Today", "Yesterday", or a date such as "Mon, 3 Nov 2026". */
export function formatDay(iso: string, clock: Clock): string {
  const key = dayKey(iso, clock);
  if (key === dayKey(clock.now.toISOString(), clock)) return "Today";
  const yesterday = new Date(clock.now.getTime() - 24 * 60 * 60 * 1000);
  if (key === dayKey(yesterday.toISOString(), clock)) return "Yesterday";
  return new Intl.DateTimeFormat(clock.locale ?? "en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: clock.timeZone,
  }).format(new Date(iso));
}

/** Short time for a list row: the time today, else the day. */
export function formatWhen(iso: string, clock: Clock): string {
  const day = formatDay(iso, clock);
  return day === "Today" ? formatTime(iso, clock) : day;
}
