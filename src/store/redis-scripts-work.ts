/**
 * Lua for the work queues of the Redis store: callbacks (the inbox) and deliveries. Each script runs
 * atomically in Redis, so the check of the lease owner and the moves between indexes can never
 * interleave with another process's claim. Every script gets the key prefix as `ARGV[1]` (`P` in the
 * prelude of `redis-scripts.ts`) and builds the key names of `redis-keys.ts` from it.
 *
 * Values that end up in hashes are computed in JavaScript and passed as strings, never computed in Lua:
 * Lua numbers are doubles that Redis formats with `%.17g`, and replies truncate them to integers.
 */

/**
 * Inserts a callback unless one with the same id exists (dedup across any number of receivers).
 * ARGV: P, id, receivedAt, field, value, … Returns 1 when inserted, 0 when it already existed.
 */
export const PUT_CALLBACK = `
local id, at = ARGV[2], ARGV[3]
local key = P .. 'cb:' .. id
if redis.call('EXISTS', key) == 1 then return 0 end
local seq = nextSeq()
local m = mem(seq, id)
redis.call('HSET', key, 'seq', seq, unpack(ARGV, 4))
redis.call('ZADD', P .. 'cbx:all', at, m)
redis.call('ZADD', P .. 'cbx:st:pending', at, m)
redis.call('ZADD', P .. 'cbx:due', at, m)
return 1
`;

/**
 * Claims due, unleased work from one queue (callbacks or one target's deliveries).
 * ARGV: P, kind ('cb' | 'dl'), due set, leased set (both relative to P), owner, limit, now, leaseUntil,
 * budget (most entries examined). Returns { meta exists (0/1), { { flat hash, event JSON or '' }, … } }.
 *
 * First, leases that ran out go back to the due set at their own due time. The hash keeps the stale
 * lease (like the SQLite store) until someone else claims it, so a slow owner can still finish.
 * Then the due set is read oldest first (score = nextAttemptAt, ties by insertion sequence), and each
 * entry is checked against its hash, which is the truth: an entry out of step is moved, not claimed.
 */
export const CLAIM = `
local kind, due, leased, owner = ARGV[2], P .. ARGV[3], P .. ARGV[4], ARGV[5]
local limit, now, leaseUntil, budget = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])
local hashPrefix = P .. kind .. ':'
for _, m in ipairs(redis.call('ZRANGEBYSCORE', leased, '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', leased, m)
  local h = redis.call('HMGET', hashPrefix .. idOf(m), 'state', 'nextAttemptAt')
  if h[1] == 'pending' then redis.call('ZADD', due, h[2], m) end
end
local out = {}
while #out < limit and budget > 0 do
  local batch = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit - #out)
  if #batch == 0 then break end
  for _, m in ipairs(batch) do
    budget = budget - 1
    local key = hashPrefix .. idOf(m)
    local h = redis.call('HMGET', key, 'state', 'nextAttemptAt', 'leaseUntil', 'eventId')
    redis.call('ZREM', due, m)
    if h[1] == 'pending' then
      local event = ''
      if kind == 'dl' then event = redis.call('HGET', P .. 'cb:' .. h[4], 'event') or '' end
      if tonumber(h[2]) > now then
        redis.call('ZADD', due, h[2], m)
      elseif h[3] and tonumber(h[3]) > now then
        redis.call('ZADD', leased, h[3], m)
      elseif kind == 'dl' and event == '' then
        -- An orphan whose callback is gone: nothing to deliver, so it leaves the queue.
      else
        redis.call('HSET', key, 'leaseOwner', owner, 'leaseUntil', leaseUntil)
        if kind == 'cb' then redis.call('HINCRBY', key, 'attempts', 1) end
        redis.call('ZADD', leased, leaseUntil, m)
        out[#out + 1] = { redis.call('HGETALL', key), event }
      end
    end
  end
end
return { redis.call('EXISTS', P .. 'meta'), out }
`;

/**
 * Finishes a leased callback: event stored, `done`, type set to the event's, a missing corpId filled from
 * the event, one delivery per target that does not exist yet.
 * ARGV: P, id, owner, now, event JSON, event type, target, … Returns { 0 } without the lease, else
 * { 1, target, … } naming the targets a delivery was created for.
 */
export const COMPLETE_CALLBACK = `
local id, owner, now = ARGV[2], ARGV[3], ARGV[4]
local key = P .. 'cb:' .. id
local h = redis.call('HMGET', key, 'state', 'leaseOwner', 'seq', 'receivedAt')
if h[1] ~= 'pending' or h[2] ~= owner then return { 0 } end
local m = mem(h[3], id)
redis.call('HSET', key, 'state', 'done', 'event', ARGV[5], 'processedAt', now, 'type', ARGV[6])
redis.call('HDEL', key, 'lastError', 'leaseOwner', 'leaseUntil')
-- A corp learned while processing (create_auth names it only after the AuthCode exchange) fills a missing corpId.
local ok, ev = pcall(cjson.decode, ARGV[5])
if ok and type(ev) == 'table' and type(ev.source) == 'table' and type(ev.source.corpId) == 'string' and ev.source.corpId ~= '' then
  redis.call('HSETNX', key, 'corpId', ev.source.corpId)
end
redis.call('ZREM', P .. 'cbx:due', m)
redis.call('ZREM', P .. 'cbx:leased', m)
redis.call('ZREM', P .. 'cbx:st:pending', m)
redis.call('ZADD', P .. 'cbx:st:done', h[4], m)
redis.call('ZADD', P .. 'cbx:processed', now, m)
local created = { 1 }
for i = 7, #ARGV do
  local target = ARGV[i]
  local did = id .. ':' .. target
  local dkey = P .. 'dl:' .. did
  if redis.call('EXISTS', dkey) == 0 then
    local seq = nextSeq()
    local dm = mem(seq, did)
    redis.call('HSET', dkey, 'id', did, 'eventId', id, 'target', target, 'eventType', ARGV[6], 'state', 'pending',
      'attempts', '0', 'replays', '0', 'nextAttemptAt', now, 'createdAt', now, 'updatedAt', now, 'seq', seq)
    redis.call('ZADD', P .. 'dlx:all', now, dm)
    redis.call('ZADD', P .. 'dlx:tgt:' .. target, now, dm)
    redis.call('ZADD', P .. 'dlx:st:pending:' .. target, now, dm)
    redis.call('ZADD', P .. 'dlx:due:' .. target, now, dm)
    redis.call('SADD', P .. 'dlx:ev:' .. id, did)
    redis.call('SADD', P .. 'dlx:targets', target)
    created[#created + 1] = target
  end
end
return created
`;

/** Puts a leased callback back to pending later. ARGV: P, id, owner, nextAttemptAt, error. Returns 0/1. */
export const DEFER_CALLBACK = `
local id, key = ARGV[2], P .. 'cb:' .. ARGV[2]
local h = redis.call('HMGET', key, 'state', 'leaseOwner', 'seq')
if h[1] ~= 'pending' or h[2] ~= ARGV[3] then return 0 end
local m = mem(h[3], id)
redis.call('HSET', key, 'nextAttemptAt', ARGV[4], 'lastError', ARGV[5])
redis.call('HDEL', key, 'leaseOwner', 'leaseUntil')
redis.call('ZREM', P .. 'cbx:leased', m)
redis.call('ZADD', P .. 'cbx:due', ARGV[4], m)
return 1
`;

/** Marks a leased callback failed. ARGV: P, id, owner, error, now. Returns 0/1. */
export const FAIL_CALLBACK = `
local id, key = ARGV[2], P .. 'cb:' .. ARGV[2]
local h = redis.call('HMGET', key, 'state', 'leaseOwner', 'seq', 'receivedAt')
if h[1] ~= 'pending' or h[2] ~= ARGV[3] then return 0 end
local m = mem(h[3], id)
redis.call('HSET', key, 'state', 'failed', 'lastError', ARGV[4], 'processedAt', ARGV[5])
redis.call('HDEL', key, 'leaseOwner', 'leaseUntil')
redis.call('ZREM', P .. 'cbx:due', m)
redis.call('ZREM', P .. 'cbx:leased', m)
redis.call('ZREM', P .. 'cbx:st:pending', m)
redis.call('ZADD', P .. 'cbx:st:failed', h[4], m)
return 1
`;

/** Any state → pending, due now, attempts 0, lease dropped. ARGV: P, now, id, … Returns how many existed. */
export const REQUEUE_CALLBACKS = `
local now, n = ARGV[2], 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local key = P .. 'cb:' .. id
  local h = redis.call('HMGET', key, 'state', 'seq', 'receivedAt')
  if h[1] then
    local m = mem(h[2], id)
    redis.call('ZREM', P .. 'cbx:st:' .. h[1], m)
    redis.call('ZREM', P .. 'cbx:processed', m)
    redis.call('ZREM', P .. 'cbx:leased', m)
    redis.call('HSET', key, 'state', 'pending', 'nextAttemptAt', now, 'attempts', '0')
    redis.call('HDEL', key, 'leaseOwner', 'leaseUntil')
    redis.call('ZADD', P .. 'cbx:st:pending', h[3], m)
    redis.call('ZADD', P .. 'cbx:due', now, m)
    n = n + 1
  end
end
return n
`;

/**
 * Records one attempt of a leased delivery and appends it to the delivery's attempts log `dla:<id>`
 * (trimmed to its last `keep` entries). ARGV: P, id, owner, new state, count ('1'/'0'), nextAttemptAt,
 * now, keep, the log entry's JSON without its opening brace and without seq and replay (added here:
 * the sequence is the hash's `attemptSeq` counter, replay the hash's `replays`), number of field pairs to
 * set, field, value, …, then fields to delete. Returns 0/1.
 */
export const RECORD_ATTEMPT = `
local id, owner, state = ARGV[2], ARGV[3], ARGV[4]
local key = P .. 'dl:' .. id
local h = redis.call('HMGET', key, 'state', 'leaseOwner', 'seq', 'target', 'createdAt', 'replays')
if h[1] ~= 'pending' or h[2] ~= owner then return 0 end
local npairs = tonumber(ARGV[10])
redis.call('HSET', key, unpack(ARGV, 11, 10 + 2 * npairs))
if #ARGV >= 11 + 2 * npairs then redis.call('HDEL', key, unpack(ARGV, 11 + 2 * npairs)) end
if ARGV[5] == '1' then redis.call('HINCRBY', key, 'attempts', 1) end
local log = P .. 'dla:' .. id
local n = redis.call('HINCRBY', key, 'attemptSeq', 1)
redis.call('RPUSH', log, '{"seq":' .. string.format('%d', n) .. ',"replay":' .. (h[6] or '0') .. ',' .. ARGV[9])
redis.call('LTRIM', log, -tonumber(ARGV[8]), -1)
local t, m = h[4], mem(h[3], id)
redis.call('ZREM', P .. 'dlx:leased:' .. t, m)
if state == 'pending' then
  redis.call('ZADD', P .. 'dlx:due:' .. t, ARGV[6], m)
else
  redis.call('ZREM', P .. 'dlx:due:' .. t, m)
  redis.call('ZREM', P .. 'dlx:st:pending:' .. t, m)
  redis.call('ZADD', P .. 'dlx:st:' .. state .. ':' .. t, h[5], m)
  if state == 'delivered' then redis.call('ZADD', P .. 'dlx:delivered', ARGV[7], m) end
end
return 1
`;

/** Drops the lease of `owner` on a delivery, untouched otherwise. ARGV: P, id, owner. Returns 0/1. */
export const RELEASE_DELIVERY = `
local id, key = ARGV[2], P .. 'dl:' .. ARGV[2]
local h = redis.call('HMGET', key, 'leaseOwner', 'state', 'seq', 'target', 'nextAttemptAt')
if h[1] ~= ARGV[3] then return 0 end
local m = mem(h[3], id)
redis.call('HDEL', key, 'leaseOwner', 'leaseUntil')
redis.call('ZREM', P .. 'dlx:leased:' .. h[4], m)
if h[2] == 'pending' then redis.call('ZADD', P .. 'dlx:due:' .. h[4], h[5], m) end
return 1
`;

/**
 * Re-queues deliveries with a fresh retry budget. ARGV: P, now, expected state ('' = any), id, …
 * Returns the target of each delivery re-queued.
 */
export const REPLAY_DELIVERIES = `
local now, expected, out = ARGV[2], ARGV[3], {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local key = P .. 'dl:' .. id
  local h = redis.call('HMGET', key, 'state', 'seq', 'target', 'createdAt')
  if h[1] and (expected == '' or h[1] == expected) then
    local t, m = h[3], mem(h[2], id)
    redis.call('ZREM', P .. 'dlx:st:' .. h[1] .. ':' .. t, m)
    redis.call('ZADD', P .. 'dlx:st:pending:' .. t, h[4], m)
    redis.call('ZREM', P .. 'dlx:leased:' .. t, m)
    redis.call('ZREM', P .. 'dlx:delivered', m)
    redis.call('ZADD', P .. 'dlx:due:' .. t, now, m)
    redis.call('HSET', key, 'state', 'pending', 'attempts', '0', 'nextAttemptAt', now, 'updatedAt', now)
    redis.call('HINCRBY', key, 'replays', 1)
    redis.call('HDEL', key, 'deliveredAt', 'leaseOwner', 'leaseUntil')
    out[#out + 1] = t
  end
end
return out
`;

/**
 * Extends leases still held. ARGV: P, kind ('cb' | 'dl'), owner, leaseUntil, now, id, … A lease is held
 * while the item is pending, leased to `owner`, and its lease has not run out at `now`. Returns the ids
 * renewed (their leased-set scores moved with them).
 */
export const RENEW_LEASES = `
local kind, owner, leaseUntil, now, out = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), {}
for i = 6, #ARGV do
  local id = ARGV[i]
  local key = P .. kind .. ':' .. id
  local h = redis.call('HMGET', key, 'state', 'leaseOwner', 'leaseUntil', 'seq', 'target')
  if h[1] == 'pending' and h[2] == owner and h[3] and tonumber(h[3]) > now then
    redis.call('HSET', key, 'leaseUntil', leaseUntil)
    local leased = P .. 'cbx:leased'
    if kind == 'dl' then leased = P .. 'dlx:leased:' .. h[5] end
    redis.call('ZADD', leased, leaseUntil, mem(h[4], id))
    out[#out + 1] = id
  end
end
return out
`;

/**
 * Reads the attempts logs of an event's deliveries. ARGV: P, eventId. Returns { { delivery id, { entry
 * JSON, … } }, … } (an absent log, as a delivery recorded before the log existed has, is empty).
 */
export const READ_EVENT_ATTEMPTS = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'dlx:ev:' .. ARGV[2])) do
  out[#out + 1] = { id, redis.call('LRANGE', P .. 'dla:' .. id, 0, -1) }
end
return out
`;

/** Reads deliveries with their events. ARGV: P, id, … Returns { { flat hash (empty if absent), event or '' }, … }. */
export const READ_DELIVERIES = `
local out = {}
for i = 2, #ARGV do
  local h = redis.call('HGETALL', P .. 'dl:' .. ARGV[i])
  local event = ''
  if #h > 0 then event = redis.call('HGET', P .. 'cb:' .. redis.call('HGET', P .. 'dl:' .. ARGV[i], 'eventId'), 'event') or '' end
  out[#out + 1] = { h, event }
end
return out
`;
