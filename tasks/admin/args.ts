/**
 * A strict command-line parser: unknown options and extra or missing arguments are usage
 * errors, so a typo never runs a destructive command with a default.
 */
import { parseArgs as nodeParseArgs } from "node:util";
import { type ArgSpec, type ParsedArgs, UsageError } from "./command.ts";

/** Parses `argv` (after the command name) against `spec`; `--help` is handled by the caller. */
export function parseArgs(
  command: string,
  spec: ArgSpec,
  argv: string[],
): ParsedArgs {
  const options: Record<string, { type: "boolean" | "string" }> = {};
  for (const name of Object.keys(spec.flags ?? {})) {
    options[name] = { type: "boolean" };
  }
  for (const name of Object.keys(spec.options ?? {})) {
    options[name] = { type: "string" };
  }
  let tokens;
  try {
    // `tokens` lets us refuse what node:util accepts silently: a repeated option.
    ({ tokens } = nodeParseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    }));
  } catch (error) {
    throw new UsageError(
      usageMessage(error as Error & { code?: string }, spec),
      command,
    );
  }
  const parsed: ParsedArgs = { positionals: {}, flags: new Set(), options: {} };
  const values: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") values.push(token.value);
    if (token.kind !== "option") continue;
    if (options[token.name].type === "boolean") {
      parsed.flags.add(token.name);
      continue;
    }
    if (!token.value) {
      throw new UsageError(
        `Option --${token.name} needs a value (${
          spec.options![token.name].value
        })`,
        command,
      );
    }
    if (token.name in parsed.options) {
      throw new UsageError(`Option --${token.name} given twice`, command);
    }
    parsed.options[token.name] = token.value;
  }
  const names = spec.positionals ?? [];
  if (values.length < names.length) {
    throw new UsageError(`Missing argument <${names[values.length]}>`, command);
  }
  if (values.length > names.length) {
    throw new UsageError(
      `Unexpected argument "${values[names.length]}"`,
      command,
    );
  }
  names.forEach((name, i) => parsed.positionals[name] = values[i]);
  return parsed;
}

/** node:util's errors in this tool's words, naming the option as the person typed it. */
function usageMessage(error: Error & { code?: string }, spec: ArgSpec): string {
  const option = error.message.match(/'(-{1,2}[^'\s]+)/)?.[1] ?? "";
  const name = option.replace(/^-+/, "");
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option ${option.split("=")[0]}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return spec.flags && name in spec.flags
        ? `Option --${name} takes no value`
        : `Option --${name} needs a value (${spec.options?.[name]?.value})`;
    default:
      return error.message;
  }
}

/** True when `--help` or `-h` appears before a `--`. */
export function wantsHelp(argv: string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

/** Reads an integer option within bounds, or its default. */
export function intOption(
  command: string,
  args: ParsedArgs,
  name: string,
  bounds: { min: number; max: number; default: number },
): number {
  const raw = args.options[name];
  if (raw === undefined) return bounds.default;
  const value = Number(raw);
  if (
    !/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < bounds.min ||
    value > bounds.max
  ) {
    throw new UsageError(
      `Option --${name} must be a whole number from ${bounds.min} to ${bounds.max}`,
      command,
    );
  }
  return value;
}
