/** The new-password step shared by user:create and user:passwd: read, validate, hash. */
import { hashPassword, type PasswordHash } from "../../lib/passwords.ts";
import { passwordSchema } from "../../lib/schemas.ts";
import { CommandError } from "./command.ts";
import { readNewPassword } from "./terminal.ts";

/** Reads a new password (stdin line or prompt), applies registration's rules, hashes it. */
export async function readAndHashPassword(what: string): Promise<PasswordHash> {
  const parsed = passwordSchema.safeParse(await readNewPassword(what));
  if (!parsed.success) {
    throw new CommandError(`${what}: ${parsed.error.issues[0].message}`);
  }
  return await hashPassword(parsed.data);
}
