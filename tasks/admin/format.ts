/** Plain-text output helpers: counts with nouns, short UTC times, aligned tables. */

/** "1 session", "3 sessions"; `nouns` for irregular plurals ("entry", "entries"). */
export function plural(
  count: number,
  noun: string,
  nouns = `${noun}s`,
): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** An ISO time as "2025-01-31 14:05 UTC"; "never" for null. */
export function shortTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "never";
}

/** Left-aligned columns separated by two spaces; `rightAligned` lists numeric columns. */
export function table(
  rows: string[][],
  rightAligned: number[] = [],
): string {
  const widths = rows[0].map((_, col) =>
    Math.max(...rows.map((row) => row[col].length))
  );
  return rows.map((row) =>
    row.map((cell, col) =>
      rightAligned.includes(col)
        ? cell.padStart(widths[col])
        : cell.padEnd(widths[col])
    ).join("  ").trimEnd()
  ).join("\n");
}
