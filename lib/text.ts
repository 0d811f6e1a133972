/** Text helpers that respect what a reader sees as one character (a grapheme cluster). */

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The longest prefix of `text` of at most `maxLength` UTF-16 code units that ends on a
 * grapheme boundary, so a cut never leaves half an emoji, a lone flag letter or a base
 * letter without its accent.
 */
export function truncateGraphemes(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = 0;
  for (const { segment, index } of GRAPHEMES.segment(text)) {
    if (index + segment.length > maxLength) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}
