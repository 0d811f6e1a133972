/**
 * Seeds chats straight into a KV file for the UI benchmark: per chat two users (the
 * viewer has a session cookie) and messages between them, alternating senders, spread
 * over the last few days so the list has day separators like a real one.
 */
import { Db } from "../../lib/db/db.ts";
import { conversationId } from "../../lib/db/keys.ts";
import { type BenchUser, seedUsers } from "../seed.ts";

export interface SeededChat {
  messages: number;
  viewer: BenchUser;
  peer: string;
}

const TEXTS = [
  "See you at 7?",
  "Sure, the usual place. I'll bring the book you lent me last month.",
  "Did you read https://example.com/article yet? Long but good.",
  "👍",
  "Running late, sorry! Ten minutes.",
];

const SPREAD_MS = 3 * 24 * 60 * 60 * 1000;

/** One chat per entry of `lengths`, in the KV at `kvPath`. */
export async function seedChats(
  kvPath: string,
  lengths: number[],
): Promise<SeededChat[]> {
  const users = await seedUsers(kvPath, 2 * lengths.length);
  const chats: SeededChat[] = [];
  for (const [i, count] of lengths.entries()) {
    const chat = {
      messages: 0,
      viewer: users[2 * i],
      peer: users[2 * i + 1].name,
    };
    await addMessages(kvPath, chat, count);
    chats.push(chat);
  }
  return chats;
}

/**
 * Appends `count` messages to a seeded chat (also while a server runs on the same KV
 * file: its long polls see them like any other new message).
 */
export async function addMessages(
  kvPath: string,
  chat: SeededChat,
  count: number,
): Promise<void> {
  const db = await Db.open(kvPath);
  try {
    const a = (await db.getUserByName(chat.viewer.name))!;
    const b = (await db.getUserByName(chat.peer))!;
    const start = Date.now() - SPREAD_MS;
    for (let i = 0; i < count; i++) {
      const n = chat.messages + i;
      const [from, to] = n % 2 === 0 ? [a, b] : [b, a];
      await db.sendMessage({
        from,
        to,
        text: `${TEXTS[n % TEXTS.length]} (#${n})`,
        now: new Date(start + (SPREAD_MS * i) / count),
      });
    }
    chat.messages += count;
  } finally {
    db.close();
  }
}

/**
 * Marks the whole chat read by its viewer, so it opens on its newest page (a long unread
 * run would be loaded in full, down to its first message).
 */
export async function markAllRead(
  kvPath: string,
  chat: SeededChat,
): Promise<void> {
  const db = await Db.open(kvPath);
  try {
    const a = (await db.getUserByName(chat.viewer.name))!;
    const b = (await db.getUserByName(chat.peer))!;
    await db.markRead(a.id, conversationId(a.id, b.id), chat.messages);
  } finally {
    db.close();
  }
}
