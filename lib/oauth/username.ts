/** Usernames for accounts created through a provider: valid, and free after a suffix. */
import { USERNAME_PATTERN } from "../schemas.ts";

const MAX_LENGTH = 32;
const FALLBACK = "user";
/** `name-2` … `name-9` read well; after that a random suffix avoids walking a long list. */
const NUMBERED_SUFFIXES = 8;

/** Turns a provider's login, name or email local part into a valid username, or "". */
export function sanitizeUsername(hint: string): string {
  const cleaned = hint.normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[_.-]+|[_.-]+$/g, "")
    .slice(0, MAX_LENGTH)
    .replace(/[_.-]+$/, "");
  return USERNAME_PATTERN.test(cleaned) ? cleaned : "";
}

/** The first usable hint, else "user". */
export function baseUsername(hints: string[]): string {
  for (const hint of hints) {
    const name = sanitizeUsername(hint);
    if (name) return name;
  }
  return FALLBACK;
}

/** Names to try in turn: the base, then `base-2` …, then random suffixes; `count` in all. */
export function* usernameCandidates(
  base: string,
  count: number,
): Generator<string> {
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      yield base;
      continue;
    }
    const suffix = i <= NUMBERED_SUFFIXES
      ? `-${i + 1}`
      : `-${crypto.randomUUID().slice(0, 6)}`;
    yield base.slice(0, MAX_LENGTH - suffix.length) + suffix;
  }
}
