/** `seed [--users N] [--messages M]`: demo accounts of its own, chatting among themselves. */
import type { Db, User } from "../../lib/db/db.ts";
import { encodeBase64Url } from "../../lib/encoding.ts";
import { DomainError } from "../../lib/errors.ts";
import { hashPassword, type PasswordHash } from "../../lib/passwords.ts";
import { type Command, UsageError } from "./command.ts";
import { intOption } from "./args.ts";
import { plural } from "./format.ts";

/** Up to this many users, each gets a hash with its own salt (~120 ms each). */
const HASH_EACH_UP_TO = 5;
/** Conversations filled at the same time; messages within one stay in order. */
const PARALLEL_CONVERSATIONS = 8;
/** Each demo user talks to at most this many others, so big seeds stay conversational. */
const PEERS_PER_USER = 3;
const PHRASES = [
  "Hi!",
  "How are you?",
  "Fine, thanks. You?",
  "Did you see the game last night?",
  "Lunch tomorrow?",
  "Sounds good 👍",
  "Running late, sorry.",
  "Can you send me the notes from today?",
  "Here they are.",
  "Thanks!",
  "See you at 7.",
  "That was fun, let's do it again.",
];

export const seed: Command = {
  name: "seed",
  summary: "create demo users and demo conversations among them",
  description:
    "Creates new demo users named demo_<random> and conversations only among them;\n" +
    "existing users and their conversations are never touched. Prints the demo\n" +
    "password, shared by all the demo users. With more than 5 users one password\n" +
    "hash (one salt) is shared too, because each hash costs ~120 ms on purpose.\n" +
    "Messages are spread over the past, 47 s apart within each conversation.\n" +
    "Defaults: --users 5 --messages 100.",
  example: "deno task admin seed --users 10 --messages 1000",
  args: {
    options: {
      users: { value: "N", description: "how many demo users (1-10000)" },
      messages: {
        value: "M",
        description: "how many messages in all (0-10000000)",
      },
    },
  },
  async run(args, open) {
    const userCount = intOption(this.name, args, "users", {
      min: 1,
      max: 10_000,
      default: 5,
    });
    const messageCount = intOption(this.name, args, "messages", {
      min: 0,
      max: 10_000_000,
      default: 100,
    });
    if (messageCount > 0 && userCount < 2) {
      throw new UsageError(
        "Messages need at least two users: pass --users 2 or more",
        this.name,
      );
    }
    const db = await open();
    const password = `demo-${
      encodeBase64Url(crypto.getRandomValues(new Uint8Array(9)))
    }`;
    const shared = userCount > HASH_EACH_UP_TO
      ? await hashPassword(password)
      : undefined;
    const users: User[] = [];
    for (let i = 0; i < userCount; i++) {
      users.push(
        await createDemoUser(db, shared ?? await hashPassword(password)),
      );
    }
    const pairs = pickPairs(users);
    const perPair = pairs.map((_, i) =>
      Math.floor(messageCount / pairs.length) +
      (i < messageCount % pairs.length ? 1 : 0)
    );
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < pairs.length; i = next++) {
        await fillConversation(db, pairs[i], perPair[i]);
      }
    };
    await Promise.all(
      Array.from({ length: PARALLEL_CONVERSATIONS }, worker),
    );
    const conversations = perPair.filter((n) => n > 0).length;
    console.log(
      `Created ${plural(users.length, "demo user")} and ${
        plural(messageCount, "message")
      } in ${plural(conversations, "conversation")}:`,
    );
    console.log(users.map((user) => user.username).join(" "));
    console.log(`Demo password: ${password}`);
  },
};

/** A user with a fresh demo_<random> name (another random name if it is taken). */
async function createDemoUser(db: Db, password: PasswordHash): Promise<User> {
  for (;;) {
    const username = `demo_${crypto.randomUUID().slice(0, 8)}`;
    try {
      return await db.createUser({ username, password });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "username_taken")) {
        throw error;
      }
    }
  }
}

/** Each user with the next few users (wrapping around): every pair at most once. */
function pickPairs(users: User[]): Array<[User, User]> {
  const pairs: Array<[User, User]> = [];
  const seen = new Set<string>();
  for (let i = 0; i < users.length; i++) {
    for (let step = 1; step <= PEERS_PER_USER; step++) {
      const j = (i + step) % users.length;
      const id = i < j ? `${i}:${j}` : `${j}:${i}`;
      if (i === j || seen.has(id)) continue;
      seen.add(id);
      pairs.push([users[i], users[j]]);
    }
  }
  return pairs;
}

async function fillConversation(
  db: Db,
  [a, b]: [User, User],
  count: number,
): Promise<void> {
  const end = Date.now();
  for (let i = 0; i < count; i++) {
    const from = Math.random() < 0.5 ? a : b;
    await db.sendMessage({
      from,
      to: from === a ? b : a,
      text: PHRASES[Math.floor(Math.random() * PHRASES.length)],
      now: new Date(end - (count - i) * 47_000),
    });
  }
}
