/** Small helpers for reading requests and writing responses at the HTTP edge. */
import { z } from "zod";
import { DomainError } from "../lib/errors.ts";
import { MESSAGE_MAX_LENGTH } from "../lib/schemas.ts";
import { errorHeaders, statusOf } from "./errors.ts";

/** Largest request body most routes accept (forms and JSON). */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Largest body of the two routes that take a message. Length is counted in UTF-16 code
 * units (lib/schemas.ts), and the worst valid encoding of one unit is 9 bytes: a BMP
 * character of 3 UTF-8 bytes percent-encoded by a no-JS form (`%E2%82%AC`). In JSON the
 * worst is `\uXXXX`, 6 bytes; an emoji is 2 units in 4 bytes (12 encoded). The slack
 * (about 5 KB) covers field names, a clientId and line breaks sent as CRLF.
 */
export const MAX_MESSAGE_BODY_BYTES = 40 * 1024;
if (MAX_MESSAGE_BODY_BYTES < MESSAGE_MAX_LENGTH * 9 + 4 * 1024) {
  throw new Error("MAX_MESSAGE_BODY_BYTES no longer fits the longest message");
}

const MESSAGE_ROUTES = [
  /^\/chat\/[^/]+\/?$/,
  /^\/api\/conversations\/[^/]+\/messages\/?$/,
  /^\/api\/groups\/[^/]+\/messages\/?$/,
  /^\/groups\/[^/]+\/?$/,
];

/** Routes that stream a file upload and enforce `MAX_UPLOAD_BYTES` themselves. */
const UPLOAD_ROUTES = [
  /^\/api\/conversations\/[^/]+\/attachments\/?$/,
  /^\/api\/groups\/[^/]+\/attachments\/?$/,
];

/** Attachment downloads: members only, so everyone else gets 404, signed in or not. */
export const ATTACHMENT_DOWNLOAD =
  /^\/api\/(conversations|groups)\/[^/]+\/attachments\/[^/]+(\/thumbnail)?\/?$/;

/**
 * The body limit for a request path: room for one message where one is sent, small
 * elsewhere, and none (null) where an upload streams under its own limit.
 */
export function bodyLimitFor(
  path: string,
  contentType = "",
): number | null {
  if (UPLOAD_ROUTES.some((route) => route.test(path))) return null;
  // The chat and group pages' no-JS forms take a file too: then they stream like uploads.
  if (
    (MESSAGE_ROUTES[0].test(path) || MESSAGE_ROUTES[3].test(path)) &&
    /^multipart\/form-data\b/i.test(contentType)
  ) return null;
  return MESSAGE_ROUTES.some((route) => route.test(path))
    ? MAX_MESSAGE_BODY_BYTES
    : MAX_BODY_BYTES;
}

const HEADER_ENCODER = new TextEncoder();

/**
 * The one gate for values built from request data on their way into a response header
 * (Location, Content-Disposition, Set-Cookie, Retry-After). Header values must be bytes
 * without CR, LF or NUL, and Deno refuses anything outside Latin-1: such a value used to
 * take the whole server down. Visible ASCII and space pass unchanged; every other
 * character is percent-encoded as UTF-8 (a lone surrogate becomes U+FFFD), so the result
 * is always a valid header value and never splits one header into two.
 */
export function headerValue(value: string | number): string {
  return String(value).replace(
    /[^\x20-\x7e]/gu,
    (char) =>
      Array.from(
        HEADER_ENCODER.encode(char),
        (byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
      ).join(""),
  );
}

/** A 303 See Other, the right answer to a successful form post. Every header passes `headerValue`. */
export function redirect(
  location: string,
  headers: HeadersInit = {},
): Response {
  const h = new Headers();
  for (const [name, value] of headerEntries(headers)) {
    h.append(name, headerValue(value));
  }
  h.set("location", headerValue(location));
  return new Response(null, { status: 303, headers: h });
}

/** Header pairs from any HeadersInit, without letting `new Headers()` see raw values first. */
function headerEntries(headers: HeadersInit): [string, string][] {
  if (headers instanceof Headers) return [...headers];
  if (Array.isArray(headers)) return headers.map(([k, v]) => [k, v]);
  return Object.entries(headers);
}

/** JSON response with the given status. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** The API's error body: `{ error: { code, message, details? } }`. */
export function jsonError(error: DomainError): Response {
  const headers = errorHeaders(error);
  return json({
    error: {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  }, { status: statusOf(error), headers });
}

/** Reads a urlencoded or multipart form into plain string fields. */
export async function readForm(req: Request): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new DomainError(
      "bad_request",
      "bad_form",
      "The form could not be read",
    );
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of form) {
    if (typeof value === "string") fields[name] = value;
  }
  return fields;
}

/** Reads a JSON body, checking the content type (415) and syntax (400). */
export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new DomainError(
      "unsupported_media_type",
      "unsupported_media_type",
      "Content-Type must be application/json",
    );
  }
  try {
    return await req.json();
  } catch {
    throw new DomainError(
      "bad_request",
      "malformed_json",
      "The request body is not valid JSON",
    );
  }
}

/** Parses with zod or throws a 422 whose details are zod's issues. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new DomainError(
      "invalid",
      "invalid_fields",
      result.error.issues[0]?.message ?? "Invalid input",
      {
        issues: result.error.issues.map((issue) => ({
          path: issue.path.map(String),
          message: issue.message,
          code: issue.code,
        })),
      },
    );
  }
  return result.data;
}

/**
 * True for a same-site path made only of visible ASCII (`/x`), never `//host` or `/\host`,
 * which browsers treat as hosts. Anything else (control bytes, tabs, non-ASCII) could end
 * up in a `Location` header, where Deno refuses it, or be bent into an open redirect.
 */
export function isSafeRedirectPath(path: string | undefined): path is string {
  return typeof path === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(path);
}
