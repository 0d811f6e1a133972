/**
 * Reading from the operator: a password from the first line of piped stdin or typed twice
 * without echo, and a typed confirmation. Prompts go to stderr so stdout stays clean data.
 */
import { CommandError, UsageError } from "./command.ts";

const encoder = new TextEncoder();
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const DELETE = 0x7f;

function writeErr(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stderr.writeSync(bytes.subarray(written));
  }
}

/**
 * Reads stdin up to the first newline (without it, and without a trailing CR), or null
 * at end of input with nothing read. Reads one byte at a time so nothing after the line
 * is consumed.
 */
export async function readLine(): Promise<string | null> {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    const n = await Deno.stdin.read(one);
    if (n === null) break;
    if (one[0] === 0x0a) {
      return new TextDecoder().decode(new Uint8Array(bytes)).replace(
        /\r$/,
        "",
      );
    }
    bytes.push(one[0]);
  }
  return bytes.length === 0
    ? null
    : new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
}

/** Asks for a line without echoing it (a terminal in raw mode); Ctrl-C cancels. */
async function promptHidden(prompt: string): Promise<string> {
  // Raw mode first, so nothing typed after the prompt appears is ever echoed.
  Deno.stdin.setRaw(true);
  writeErr(prompt);
  const decoder = new TextDecoder();
  const one = new Uint8Array(1);
  let text = "";
  try {
    for (;;) {
      const n = await Deno.stdin.read(one);
      const byte = n === null ? CTRL_D : one[0];
      if (byte === 0x0d || byte === 0x0a) break;
      if (byte === CTRL_C || (byte === CTRL_D && text === "")) {
        throw new CommandError("Cancelled");
      }
      if (byte === BACKSPACE || byte === DELETE) {
        text = Array.from(text).slice(0, -1).join("");
        continue;
      }
      if (byte < 0x20) continue;
      text += decoder.decode(one, { stream: true });
    }
  } finally {
    Deno.stdin.setRaw(false);
    writeErr("\n");
  }
  return text;
}

/**
 * A new password: the first line of stdin when it is piped, else typed twice without echo.
 * `what` names the operation for error messages, e.g. `Cannot create user "ann"`.
 */
export async function readNewPassword(what: string): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    const line = await readLine();
    if (line === null) {
      throw new CommandError(`${what}: no password on stdin`);
    }
    return line;
  }
  const first = await promptHidden("New password: ");
  const second = await promptHidden("Repeat the password: ");
  if (first !== second) {
    throw new CommandError(`${what}: the passwords do not match`);
  }
  return first;
}

/**
 * Asks the operator to type `expected` to go ahead. Refuses (usage error) when stdin is
 * not a terminal: a script must say `--yes` instead of piping an answer by accident.
 */
export async function confirm(
  command: string,
  question: string,
  expected: string,
): Promise<boolean> {
  requireTerminal(command);
  writeErr(`${question} Type "${expected}" to confirm: `);
  return (await readLine())?.trim() === expected;
}

/** Refuses (usage error) to ask for confirmation when nobody can type an answer. */
export function requireTerminal(command: string): void {
  if (!Deno.stdin.isTerminal()) {
    throw new UsageError(
      "Refusing to go ahead without confirmation: stdin is not a terminal; pass --yes",
      command,
    );
  }
}
