/** Help texts for `deno task admin --help` and `<command> --help`, built from each command. */
import type { Command } from "./command.ts";

/** The command list. */
export function overviewHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: deno task admin <command> [options]",
    "",
    "Operator commands against the Deno KV the server uses (DENO_KV_PATH, default",
    "data/natter.sqlite3; a file, :memory: or a remote KV URL). Safe while the server runs.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `deno task admin <command> --help` for a command's options.",
    "Exit status: 0 done, 1 failed (one line on stderr), 2 usage error.",
  ].join("\n");
}

/** One command's usage, description, options and example. */
export function commandHelp(command: Command): string {
  const { positionals = [], flags = {}, options = {} } = command.args;
  const usage = [
    `deno task admin ${command.name}`,
    ...positionals.map((name) => `<${name}>`),
    ...Object.entries(options).map(([name, o]) => `[--${name} ${o.value}]`),
    ...Object.keys(flags).map((name) => `[--${name}]`),
  ].join(" ");
  const rows: Array<[string, string]> = [
    ...Object.entries(options).map(([name, o]): [string, string] => [
      `--${name} ${o.value}`,
      o.description,
    ]),
    ...Object.entries(flags).map(([name, d]): [string, string] => [
      `--${name}`,
      d,
    ]),
    ["--help", "show this help"],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: ${usage}`,
    "",
    command.description,
    "",
    "Options:",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    "",
    "Example:",
    `  ${command.example}`,
  ].join("\n");
}
