/**
 * Lua for the small keyed state of the Redis store: kv values, lock release and the shared rate limit.
 * Same conventions as `redis-scripts-work.ts`: `ARGV[1]` is the prefix `P`; other key names are passed
 * relative to it.
 */

/**
 * Writes a kv value (newer-wins with ifNewer). ARGV: P, kv key, index key, namespace key, key, ns,
 * value JSON, canonical JSON, version, now, expiresAt or '', ifNewer ('1'/'0'), PEXPIRE ms or ''.
 * Returns 1 when written. An expired value counts as absent, whatever its version.
 */
export const KV_PUT = `
local key = P .. ARGV[2]
if ARGV[12] == '1' then
  local h = redis.call('HMGET', key, 'version', 'expiresAt')
  if h[1] then
    local live = (not h[2]) or tonumber(h[2]) > tonumber(ARGV[10])
    if live and not (tonumber(ARGV[9]) > tonumber(h[1])) then return 0 end
  end
end
redis.call('DEL', key)
redis.call('HSET', key, 'ns', ARGV[6], 'key', ARGV[5], 'value', ARGV[7], 'canon', ARGV[8], 'version', ARGV[9], 'updatedAt', ARGV[10])
if ARGV[11] ~= '' then
  redis.call('HSET', key, 'expiresAt', ARGV[11])
  redis.call('PEXPIRE', key, ARGV[13])
end
redis.call('SADD', P .. ARGV[3], ARGV[5])
redis.call('SADD', P .. 'kvns', ARGV[4])
return 1
`;

/**
 * Deletes a kv value, optionally only when its canonical JSON equals the given one.
 * ARGV: P, kv key, index key, key, conditional ('1'/'0'), canonical JSON. Returns 1 when deleted.
 */
export const KV_DELETE = `
local key = P .. ARGV[2]
if ARGV[5] == '1' and redis.call('HGET', key, 'canon') ~= ARGV[6] then return 0 end
local n = redis.call('DEL', key)
redis.call('SREM', P .. ARGV[3], ARGV[4])
return n
`;

/** Reads and deletes a kv value in one step. ARGV: P, kv key, index key, key. Returns the flat hash. */
export const KV_TAKE = `
local key = P .. ARGV[2]
local h = redis.call('HGETALL', key)
redis.call('DEL', key)
redis.call('SREM', P .. ARGV[3], ARGV[4])
return h
`;

/**
 * Drops index entries whose value is gone (expired by Redis), and the namespace once its index is empty.
 * ARGV: P, index key, namespace key, kv key prefix, key, … Returns how many entries were dropped.
 */
export const KV_SWEEP = `
local idx, n = P .. ARGV[2], 0
for i = 5, #ARGV do
  if redis.call('EXISTS', P .. ARGV[4] .. ARGV[i]) == 0 then
    n = n + redis.call('SREM', idx, ARGV[i])
  end
end
if redis.call('EXISTS', idx) == 0 then redis.call('SREM', P .. 'kvns', ARGV[3]) end
return n
`;

/**
 * Takes a lock when absent or expired on the caller's clock. ARGV: P, lock key, token, now, expiresAt,
 * PEXPIRE ms (garbage collection only, beyond expiresAt). The lock is a hash {token, expiresAt}.
 * Returns 1 when taken.
 */
export const LOCK_ACQUIRE = `
local key = P .. ARGV[2]
local held = redis.call('HGET', key, 'expiresAt')
if held and tonumber(held) > tonumber(ARGV[4]) then return 0 end
redis.call('HSET', key, 'token', ARGV[3], 'expiresAt', ARGV[5])
redis.call('PEXPIRE', key, ARGV[6])
return 1
`;

/** Extends a lock `token` still holds at `now`. ARGV: P, lock key, token, now, expiresAt, PEXPIRE ms. Returns 0/1. */
export const LOCK_RENEW = `
local key = P .. ARGV[2]
local h = redis.call('HMGET', key, 'token', 'expiresAt')
if h[1] ~= ARGV[3] or not h[2] or tonumber(h[2]) <= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', key, 'expiresAt', ARGV[5])
redis.call('PEXPIRE', key, ARGV[6])
return 1
`;

/** Deletes a lock only if `token` still holds it. ARGV: P, lock key, token. Returns 0/1. */
export const LOCK_RELEASE = `
local key = P .. ARGV[2]
if redis.call('HGET', key, 'token') ~= ARGV[3] then return 0 end
return redis.call('DEL', key)
`;

/** Deletes the reconcile lock (a string) only if `token` holds it. ARGV: P, key, token. Returns 0/1. */
export const RECONCILE_UNLOCK = `
local key = P .. ARGV[2]
if redis.call('GET', key) ~= ARGV[3] then return 0 end
return redis.call('DEL', key)
`;

/**
 * Up to `wanted` rolling-window rate slots. ARGV: P, rate key, now, window start, count, wanted, member
 * prefix (unique per call), PEXPIRE ms. Returns { granted, score of the oldest send in the window or '' }.
 */
export const RATE_SLOTS = `
local key = P .. ARGV[2]
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[4])
local granted = math.max(0, math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) - redis.call('ZCARD', key)))
for i = 1, granted do redis.call('ZADD', key, ARGV[3], ARGV[7] .. ':' .. i) end
if granted > 0 then redis.call('PEXPIRE', key, ARGV[8]) end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or ''
return { granted, oldest }
`;
