/**
 * Who is typing where. A direct chat's typing is keyed by the peer's lowercase name; a
 * group's by the group's id and the typist's name, so one person typing in a group does
 * not show as typing in their direct chat with me, and a group can say who.
 */

/** The key of `user` typing in `conversation`. */
export function typingKey(
  conversation: { id: string; kind: "direct" | "group" },
  user: string,
): string {
  return conversation.kind === "group"
    ? `${conversation.id}\n${user}`
    : user.toLowerCase();
}

/** The names typing in group `groupId`, in the order they started. */
export function typingInGroup(
  typing: ReadonlySet<string>,
  groupId: string,
): string[] {
  const prefix = `${groupId}\n`;
  return [...typing].filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
}

/** "bob is typing…", "bob and carol are typing…", "bob and 2 others are typing…". */
export function groupTypingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names[0]} and ${names.length - 1} others are typing…`;
}
