/**
 * Who is online and who is typing, for every island of the tab: signals fed by the tab's
 * inbox (`presence` and `typing` events), seeded by the server-rendered presence. "typing…"
 * lasts 6 s after the last notice, or until a message from that person arrives.
 * Browser-only; the server renders with the seed alone.
 */
import { signal } from "@preact/signals";
import type { InboxEvent } from "../lib/inbox.ts";
import type { PublicPresence } from "../lib/presence.ts";
import { connectInbox } from "./inbox.ts";
import { typingKey } from "./typing_keys.ts";

/** How long "typing…" shows after the last notice. */
export const TYPING_SHOWN_MS = 6_000;

/** Presence by lowercase username. */
export const presence = signal<Record<string, PublicPresence>>({});
/** Who is typing to me right now: lowercase usernames, and group typists (typing_keys.ts). */
export const typing = signal<ReadonlySet<string>>(new Set());

const timers = new Map<string, ReturnType<typeof setTimeout>>();
let started = false;

/** Adds server-rendered presence (it never overrides what live events said). */
export function seedPresence(seed: Record<string, PublicPresence>): void {
  const next = { ...presence.value };
  for (const [name, p] of Object.entries(seed)) {
    next[name.toLowerCase()] ??= p;
  }
  presence.value = next;
}

function setTyping(name: string, on: boolean): void {
  clearTimeout(timers.get(name));
  timers.delete(name);
  if (on === typing.value.has(name)) {
    if (on) {
      timers.set(
        name,
        setTimeout(() => setTyping(name, false), TYPING_SHOWN_MS),
      );
    }
    return;
  }
  const next = new Set(typing.value);
  if (on) {
    next.add(name);
    timers.set(name, setTimeout(() => setTyping(name, false), TYPING_SHOWN_MS));
  } else next.delete(name);
  typing.value = next;
}

function onEvent(event: InboxEvent): void {
  if (event.type === "presence") {
    presence.value = {
      ...presence.value,
      [event.user.toLowerCase()]: {
        online: event.online,
        lastSeen: event.lastSeen,
      },
    };
  } else if (event.type === "typing") {
    setTyping(typingKey(event.conversation, event.user), true);
  } else if (event.type === "message") {
    // Their message is what they were typing.
    setTyping(typingKey(event.conversation, event.message.from), false);
  }
}

/** Follows the tab's inbox (once per tab, whichever island asks first). */
export function watchPeerActivity(eventsCursor: string): void {
  if (started) return;
  started = true;
  connectInbox(eventsCursor).listen({ onEvent });
}
