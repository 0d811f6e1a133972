/**
 * Password hashing with PBKDF2-SHA256 from WebCrypto. The parameters are stored beside the
 * hash so the iteration count can be raised later without invalidating old hashes.
 */
import { timingSafeEqual as cryptoTimingSafeEqual } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./encoding.ts";

/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;

export interface PasswordHash {
  algorithm: "pbkdf2-sha256";
  iterations: number;
  salt: string;
  hash: string;
}

let verifications = 0;

/** How many password checks this process has run (real or dummy): lets tests prove throttling happens before hashing. */
export function passwordVerificationCount(): number {
  return verifications;
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return {
    algorithm: "pbkdf2-sha256",
    iterations: PBKDF2_ITERATIONS,
    salt: encodeBase64(salt),
    hash: encodeBase64(hash),
  };
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(
  password: string,
  stored: PasswordHash,
): Promise<boolean> {
  verifications++;
  const expected = decodeBase64(stored.hash);
  const actual = await derive(
    password,
    decodeBase64(stored.salt),
    stored.iterations,
  );
  return timingSafeEqual(actual, expected);
}

/** A hash no password can match (its bytes are not the output of any derivation we run). */
const DUMMY_HASH: PasswordHash = {
  algorithm: "pbkdf2-sha256",
  iterations: PBKDF2_ITERATIONS,
  salt: encodeBase64(new Uint8Array(16)),
  hash: encodeBase64(new Uint8Array(32)),
};

/**
 * Runs the same check against a dummy hash, so a login for an unknown user (or one with
 * no password) costs what a wrong password costs and is not measurably faster.
 */
export async function verifyPasswordAgainstNothing(
  password: string,
): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}

/** Compares two byte arrays in constant time (node:crypto's), false on a length mismatch. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && cryptoTimingSafeEqual(a, b);
}
