/**
 * Finds the http(s) links in a message's text. Only `http://` and `https://` URLs that
 * parse become links, so `javascript:`, `data:` and every other scheme stay plain text;
 * the result is a list of segments that the view renders as text nodes and `<a>`s, so the
 * text is escaped by Preact like any other and no markup ever comes from a message.
 */

export type Segment = { text: string } | { text: string; href: string };

/** A scheme, then anything up to whitespace or a character that cannot end a bare URL. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that usually ends the sentence around a link rather than the link. */
const TRAILING = /[.,:;!?'"»”’]+$/;

/** Drops a trailing `)` (or `]`) that closes a bracket opened before the link. */
function trimUnbalanced(url: string): string {
  let end = url;
  for (;;) {
    const trimmed = end.replace(TRAILING, "");
    const last = trimmed.at(-1);
    const pairs: Record<string, string> = { ")": "(", "]": "[" };
    if (last && pairs[last]) {
      const opens = trimmed.split(pairs[last]).length - 1;
      const closes = trimmed.split(last).length - 1;
      if (closes > opens) {
        end = trimmed.slice(0, -1);
        continue;
      }
    }
    return trimmed;
  }
}

/** The link a candidate stands for, or null unless it is an http(s) URL with a host. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (!url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Splits `text` into plain and link segments, in order; joined, they give `text` back. */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let plainFrom = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = trimUnbalanced(match[0]);
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index!;
    if (start > plainFrom) {
      segments.push({ text: text.slice(plainFrom, start) });
    }
    segments.push({ text: raw, href });
    plainFrom = start + raw.length;
  }
  if (plainFrom < text.length) segments.push({ text: text.slice(plainFrom) });
  return segments;
}
