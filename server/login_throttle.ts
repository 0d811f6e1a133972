/**
 * Throttles password checks. A token is taken *before* the (deliberately slow) hash runs,
 * so parallel guesses cannot all be checked, and is given back when the password was
 * right: only failures count. Which buckets apply:
 *
 * - a browser with a valid device cookie for this account: only its own device bucket;
 *   the owner keeps logging in while the account is under attack from elsewhere;
 * - anyone else: the account's bucket (guessing one account from many addresses) and the
 *   address's bucket (one address spraying many accounts). Unknown usernames get an
 *   account bucket too, so they cost the same as real ones.
 */
import type { RateLimiter } from "./rate_limit.ts";
import type { State } from "./state.ts";

export type Admission =
  | { ok: true; settle(success: boolean): void }
  | { ok: false; retryAfter: number };

/** Takes the tokens for one password check by `username` (resolved to `userId` if it exists). */
export async function admitPasswordCheck(
  state: State,
  req: Request,
  attempt: { username: string; userId?: string },
): Promise<Admission> {
  const { limits, devices, clientAddress, secure } = state;
  const device = await devices.read(req, secure);
  const buckets: Array<[RateLimiter, string]> =
    device && attempt.userId && device.userId === attempt.userId
      ? [[limits.login.perDevice, `${device.userId}|${device.nonce}`]]
      : [
        [limits.login.perAccount, attempt.username.toLowerCase()],
        [limits.login.perAddress, clientAddress],
      ];
  const taken: Array<[RateLimiter, string]> = [];
  for (const [limiter, key] of buckets) {
    if (!(await limiter.take(key))) {
      await Promise.all(taken.map(([l, k]) => l.refund(k)));
      return { ok: false, retryAfter: await limiter.retryAfter(key) };
    }
    taken.push([limiter, key]);
  }
  return {
    ok: true,
    settle(success) {
      // Not awaited: the answer need not wait for the refund (it only makes a later try pass).
      if (success) { for (const [l, k] of taken) void l.refund(k); }
    },
  };
}
