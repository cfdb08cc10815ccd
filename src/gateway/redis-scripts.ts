/**
 * The Lua scripts behind `RedisStateStore`. Each runs atomically on the server, which is what
 * makes a limit correct when several gateway instances check it at the same moment; each
 * reads the time from the server (`TIME`), so instances whose clocks drift still share one
 * window. Scores of the sorted sets are milliseconds.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Sliding-window log, the same algorithm as the memory limiter: one sorted-set member per
 * counted request. KEYS[1] the client's window; ARGV window ms, limit, a unique member.
 * Returns `{1, 0}` when counted, `{0, ms until the oldest request leaves the window}` when not.
 */
export const RATE_LIMIT_SCRIPT = `${NOW}
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}`;

/**
 * Takes a lease: KEYS[1] the pool (members are holder ids, scores their expiry); ARGV ttl ms,
 * max holders (0 = no limit), holder id. Expired holders (a crashed instance's) are dropped
 * first. Returns 1 when taken (or already held by this id), 0 when the pool is full.
 */
export const ACQUIRE_SCRIPT = `${NOW}
local ttl = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if max > 0 and redis.call('ZCARD', KEYS[1]) >= max and not redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1`;

/**
 * Heartbeat of a held lease: KEYS[1] the pool; ARGV ttl ms, holder id. Re-adds the holder
 * even if it expired meanwhile (Redis was unreachable for longer than the TTL): the
 * generation is still running, so it still occupies its slot.
 */
export const RENEW_SCRIPT = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

/** Live holders of KEYS[1]. */
export const HOLDERS_SCRIPT = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')`;

/**
 * Compare-and-swap of KEYS[1]: ARGV has-expected ('1' or '0'), expected, has-next, next, ttl
 * ms. Returns 1 when the value was still the expected one (or absent, as expected) and was
 * replaced (or deleted), 0 otherwise.
 */
export const SWAP_SCRIPT = `local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', tonumber(ARGV[5]))
else
  redis.call('DEL', KEYS[1])
end
return 1`;

/**
 * Adds ARGV[1] to the counter KEYS[1], giving it a lifetime of ARGV[2] ms when it has none
 * (the first addition). Returns the new value as a string (Lua would truncate a float).
 */
export const INCREMENT_SCRIPT = `local value = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return value`;
