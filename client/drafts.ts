/**
 * Composer drafts, kept per signed-in user and chat in localStorage so an unsent text
 * survives a reload or a visit to another chat; cleared when it is sent. Browser-only.
 */

const STORAGE_PREFIX = "natter.draft.v1";

/** The localStorage key of one signed-in user's draft towards one peer. */
export function draftKey(me: string, peer: string): string {
  return `${STORAGE_PREFIX}:${me.toLowerCase()}:${peer.toLowerCase()}`;
}

/** The saved draft, or "" when there is none or storage is unavailable. */
export function loadDraft(key: string): string {
  try {
    return localStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

/** Saves the draft; an empty (or blank) one removes the entry. */
export function saveDraft(key: string, text: string): void {
  try {
    if (text.trim() === "") localStorage.removeItem(key);
    else localStorage.setItem(key, text);
  } catch {
    // Private mode or a full quota: the draft just does not survive a reload.
  }
}
