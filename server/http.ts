/** Small helpers for reading requests and writing responses at the HTTP edge. */
import { z } from "zod";
import { DomainError } from "../lib/errors.ts";
import { errorHeaders, statusOf } from "./errors.ts";

/** Largest request body the app accepts (forms and JSON). */
export const MAX_BODY_BYTES = 16 * 1024;

/** A 303 See Other, the right answer to a successful form post. */
export function redirect(
  location: string,
  headers: HeadersInit = {},
): Response {
  const h = new Headers(headers);
  h.set("location", location);
  return new Response(null, { status: 303, headers: h });
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
