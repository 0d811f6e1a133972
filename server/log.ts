/**
 * The server's log lines. `LOG_FORMAT=text` (the default) prints plain lines for people
 * reading a terminal; `LOG_FORMAT=json` prints one JSON object per line for log shippers
 * (time, level, message and any fields, e.g. a request's id, method, path, status, ms).
 * Lines go to stdout, errors to stderr: nothing is written to the file system.
 */

export type LogFormat = "text" | "json";
export type LogLevel = "info" | "warn" | "error";
/** Extra facts about a line; in text format only `error` is printed (with its stack). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger in `format`; `now` is injectable so tests can pin the time field. */
export function createLogger(
  format: LogFormat,
  now: () => Date = () => new Date(),
): Logger {
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const out = level === "info" ? console.log : console.error;
    if (format === "json") {
      const { error, ...rest } = fields;
      out(JSON.stringify({
        time: now().toISOString(),
        level,
        message,
        ...rest,
        ...(error === undefined ? {} : { error: describe(error) }),
      }));
    } else if (fields.error !== undefined) {
      out(message, fields.error);
    } else {
      out(message);
    }
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}

/** An error as one string (its stack when it has one), so a JSON line stays one line. */
function describe(error: unknown): string {
  return error instanceof Error ? error.stack ?? String(error) : String(error);
}
