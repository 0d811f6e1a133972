/**
 * Rate-limit token buckets counted in Redis, so a limit holds across every process. One
 * Lua script per decision: refill by Redis's own clock (no skew between machines), then
 * take, all atomically. Key `natter:rate:<limit>:<key>`, a hash {t: tokens, at: ms},
 * expiring once the bucket would be full again (README, "Scaling out").
 */
import type { Redis } from "ioredis";
import type { BucketRule, SharedBuckets } from "./rate_limit.ts";

const SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(stored[1])
local at = tonumber(stored[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000 * rate)
local ok = 1
if cost > 0 and tokens < cost then
  ok = 0
elseif cost ~= 0 then
  tokens = math.min(capacity, tokens - cost)
  redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
end
return {ok, tostring(tokens)}
`;

type BucketCommand = (
  key: string,
  capacity: number,
  rate: number,
  cost: number,
) => Promise<[number, string]>;

/** Buckets in Redis through `client`; null answers (Redis away) fall back to memory. */
export function redisBuckets(client: Redis): SharedBuckets {
  client.defineCommand("natterBucket", { numberOfKeys: 1, lua: SCRIPT });
  const run = (client as unknown as { natterBucket: BucketCommand })
    .natterBucket.bind(client);
  return {
    async take(key: string, rule: BucketRule, cost: number) {
      if (client.status !== "ready") return null;
      try {
        const [ok, tokens] = await run(
          `natter:rate:${key}`,
          rule.capacity,
          rule.refillPerSecond,
          cost,
        );
        return { ok: ok === 1, tokens: Number(tokens) };
      } catch {
        return null;
      }
    },
  };
}
