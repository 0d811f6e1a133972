/**
 * Every zod schema for input that crosses a boundary (forms, JSON, query strings).
 * Normalisation (trimming) happens here so handlers only ever see clean values.
 */
import { z } from "zod";

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const MESSAGE_MAX_LENGTH = 4000;
export const PASSWORD_MIN_LENGTH = 8;
/** Caps the work one PBKDF2 call can be made to do. */
export const PASSWORD_MAX_LENGTH = 1024;

export const usernameSchema = z.string({ error: "Username is required" })
  .trim()
  .min(3, "Username must be at least 3 characters")
  .max(32, "Username must be at most 32 characters")
  .regex(
    USERNAME_PATTERN,
    "Username may contain only letters, digits, _ . and -",
  );

export const passwordSchema = z.string({ error: "Password is required" })
  .min(PASSWORD_MIN_LENGTH, "Password must be at least 8 characters")
  .max(PASSWORD_MAX_LENGTH, "Password must be at most 1024 characters");

export const registerFormSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  password_confirm: z.string({ error: "Please type the password again" }),
}).refine((form) => form.password === form.password_confirm, {
  path: ["password_confirm"],
  message: "Passwords do not match",
});

export const loginFormSchema = z.object({
  username: z.string({ error: "Username is required" }).trim().min(
    1,
    "Username is required",
  ).max(64),
  password: z.string({ error: "Password is required" }).min(
    1,
    "Password is required",
  ).max(PASSWORD_MAX_LENGTH),
  next: z.string().max(2048).optional(),
});

/**
 * C0 controls except tab and newline, plus DEL and the C1 block: nobody types them, they
 * render as nothing or garbage, and some start escape sequences in a terminal (NUL ends C
 * strings, ESC/CSI drive terminals that show exports or logs).
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\0-\x08\x0b-\x1f\x7f-\x9f]/;
/** Text that draws nothing: whitespace and default-ignorable code points (zero-width space, joiners, BOM, word joiner, variation selectors, Hangul fillers, tags). */
const NOTHING_VISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

/**
 * A message's text, counted in UTF-16 code units (JavaScript's `length`) after trimming;
 * server/http.ts sizes the body limit of the routes that take one from this count.
 */
export const messageTextSchema = z.string({ error: "Text is required" })
  // Browsers submit a textarea's line breaks as CRLF; one line break is one character.
  .overwrite((text) => text.replace(/\r\n?/g, "\n"))
  .trim()
  .min(1, "Message must not be empty")
  .max(MESSAGE_MAX_LENGTH, "Message must be at most 4000 characters")
  // A lone surrogate (only JSON's \uD800 can send one) is not text: HTML shows it as
  // U+FFFD while the API would echo it raw.
  .refine((text) => text.isWellFormed(), "Message must be valid Unicode text")
  .refine(
    (text) => !CONTROL_CHARACTER.test(text),
    "Message must not contain control characters",
  )
  .refine(
    (text) => !NOTHING_VISIBLE.test(text),
    "Message must not be empty",
  );

/** The most attachments one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** A send: text, or attachments with text that may then be empty. */
export const sendMessageSchema = z.object({
  text: z.string({ error: "Text is required" }).default(""),
  clientId: z.uuid("clientId must be a UUID").optional(),
  attachments: z.array(z.uuid("Attachment ids are UUIDs"))
    .max(
      MAX_ATTACHMENTS_PER_MESSAGE,
      `At most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments per message`,
    )
    .optional(),
}).transform((input, ctx) => {
  if (input.attachments?.length && NOTHING_VISIBLE.test(input.text)) {
    return { ...input, text: "" };
  }
  const text = messageTextSchema.safeParse(input.text);
  if (!text.success) {
    for (const issue of text.error.issues) {
      ctx.addIssue({ ...issue, path: ["text", ...issue.path] } as never);
    }
    return z.NEVER;
  }
  return { ...input, text: text.data };
});

export const messagesQuerySchema = z.object({
  after: z.string().max(200).optional(),
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  wait: z.coerce.number().min(0).max(25).default(0),
}).refine((q) => q.after === undefined || q.before === undefined, {
  path: ["before"],
  message: "Pass either after or before, not both",
});

export const eventsQuerySchema = z.object({
  after: z.string().max(200).optional(),
  wait: z.coerce.number().min(0).max(25).default(0),
});

export const eventStreamQuerySchema = z.object({
  after: z.string().max(200).optional(),
});

export const conversationsQuerySchema = z.object({
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const usersQuerySchema = z.object({
  q: z.string().trim().max(32).default(""),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const readSchema = z.object({
  upTo: z.string({ error: "upTo is required" }).min(1).max(100),
});

/** `PUT /api/settings`: any subset of the settings; an unknown field or value is a 422. */
export const settingsPatchSchema = z.strictObject({
  readReceipts: z.boolean().optional(),
  typingIndicators: z.boolean().optional(),
  lastSeen: z.enum(["everyone", "contacts", "nobody"]).optional(),
});

/** The no-JS settings form: unchecked boxes are simply absent. */
export const settingsFormSchema = z.object({
  readReceipts: z.literal("on").optional().transform((v) => v === "on"),
  typingIndicators: z.literal("on").optional().transform((v) => v === "on"),
  lastSeen: z.enum(["everyone", "contacts", "nobody"], {
    error: "Choose who can see your last seen",
  }),
});

/** A group's name (issue 13): trimmed, 1–100 characters of visible text. */
export const groupNameSchema = z.string({ error: "Name is required" })
  .trim()
  .min(1, "Name must not be empty")
  .max(100, "Name must be at most 100 characters")
  .refine((text) => text.isWellFormed(), "Name must be valid Unicode text")
  .refine(
    (text) => !CONTROL_CHARACTER.test(text),
    "Name must not contain control characters",
  )
  .refine((text) => !NOTHING_VISIBLE.test(text), "Name must not be empty");

export const createGroupSchema = z.object({
  name: groupNameSchema,
  // Bounded here so a huge list is refused before any lookup; the 256 cap is lib/groups.ts.
  members: z.array(z.string().max(64)).max(1000).default([]),
});

export const renameGroupSchema = z.object({ name: groupNameSchema });

export const groupMemberSchema = z.object({
  username: z.string({ error: "username is required" }).trim().min(1).max(64),
});

export const groupRoleSchema = z.object({
  role: z.enum(["admin", "member"], {
    error: 'role must be "admin" or "member"',
  }),
});

/** Field name → first error message, for re-rendering a form. */
export type FieldErrors = Record<string, string>;

/** Flattens zod issues into one message per field, as the forms show them. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    out[field] ??= issue.message;
  }
  return out;
}
