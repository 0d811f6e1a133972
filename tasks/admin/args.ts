/**
 * A strict command-line parser: unknown options and extra or missing arguments are usage
 * errors, so a typo never runs a destructive command with a default.
 */
import { type ArgSpec, type ParsedArgs, UsageError } from "./command.ts";

/** Parses `argv` (after the command name) against `spec`; `--help` is handled by the caller. */
export function parseArgs(
  command: string,
  spec: ArgSpec,
  argv: string[],
): ParsedArgs {
  const parsed: ParsedArgs = { positionals: {}, flags: new Set(), options: {} };
  const values: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !arg.startsWith("-") || arg === "-") {
      values.push(arg);
      continue;
    }
    if (arg === "--") {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (arg.startsWith("--") && spec.flags && name in spec.flags) {
      if (inline !== undefined) {
        throw new UsageError(`Option --${name} takes no value`, command);
      }
      parsed.flags.add(name);
    } else if (arg.startsWith("--") && spec.options && name in spec.options) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") {
        throw new UsageError(
          `Option --${name} needs a value (${spec.options[name].value})`,
          command,
        );
      }
      if (name in parsed.options) {
        throw new UsageError(`Option --${name} given twice`, command);
      }
      parsed.options[name] = value;
    } else {
      throw new UsageError(`Unknown option ${arg.split("=")[0]}`, command);
    }
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
