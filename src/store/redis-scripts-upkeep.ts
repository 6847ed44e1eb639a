/**
 * Lua for the upkeep of the Redis store: stats, pruning, and rebuilding the indexes from the hashes
 * (`reconcile`). Same conventions as `redis-scripts-work.ts`: `ARGV[1]` is the prefix `P`.
 */

/**
 * Counts for `stats()`, read in one atomic step. ARGV: P. Returns { pending, done, failed, oldest pending
 * receivedAt or '', { { target, pending, delivered, dead, oldest pending createdAt or '' }, … } }.
 */
export const STATS = `
local counts = {}
for _, s in ipairs({ 'pending', 'done', 'failed' }) do counts[#counts + 1] = redis.call('ZCARD', P .. 'cbx:st:' .. s) end
local oldest = redis.call('ZRANGE', P .. 'cbx:st:pending', 0, 0, 'WITHSCORES')[2] or ''
local targets = {}
for _, t in ipairs(redis.call('SMEMBERS', P .. 'dlx:targets')) do
  local row = { t }
  for _, s in ipairs({ 'pending', 'delivered', 'dead' }) do row[#row + 1] = redis.call('ZCARD', P .. 'dlx:st:' .. s .. ':' .. t) end
  row[#row + 1] = redis.call('ZRANGE', P .. 'dlx:st:pending:' .. t, 0, 0, 'WITHSCORES')[2] or ''
  targets[#targets + 1] = row
end
return { counts[1], counts[2], counts[3], oldest, targets }
`;

/**
 * Deletes up to `batch` delivered deliveries with deliveredAt < before, with their attempts logs. ARGV: P, before, batch.
 * Returns { entries examined, deliveries deleted }.
 */
export const PRUNE_DELIVERIES = `
local before, idx = tonumber(ARGV[2]), P .. 'dlx:delivered'
local batch = redis.call('ZRANGEBYSCORE', idx, '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local deleted = 0
for _, m in ipairs(batch) do
  local id = idOf(m)
  local key = P .. 'dl:' .. id
  local h = redis.call('HMGET', key, 'state', 'deliveredAt', 'target', 'eventId')
  redis.call('ZREM', idx, m)
  if h[1] == 'delivered' and tonumber(h[2]) < before then
    local t = h[3]
    redis.call('DEL', key, P .. 'dla:' .. id)
    redis.call('ZREM', P .. 'dlx:all', m)
    redis.call('ZREM', P .. 'dlx:tgt:' .. t, m)
    redis.call('ZREM', P .. 'dlx:st:delivered:' .. t, m)
    redis.call('ZREM', P .. 'dlx:due:' .. t, m)
    redis.call('ZREM', P .. 'dlx:leased:' .. t, m)
    redis.call('SREM', P .. 'dlx:ev:' .. h[4], id)
    deleted = deleted + 1
  elseif h[1] == 'delivered' then
    redis.call('ZADD', idx, h[2], m)
  end
end
return { #batch, deleted }
`;

/**
 * Deletes up to `batch` done callbacks with processedAt < before and no delivery left, skipping the
 * first `offset` entries (callbacks kept by earlier batches because deliveries remain).
 * ARGV: P, before, batch, offset. Returns { entries examined, entries kept in place, callbacks deleted }.
 */
export const PRUNE_CALLBACKS = `
local before, idx = tonumber(ARGV[2]), P .. 'cbx:processed'
local batch = redis.call('ZRANGEBYSCORE', idx, '-inf', '(' .. ARGV[2], 'LIMIT', tonumber(ARGV[4]), tonumber(ARGV[3]))
local kept, deleted = 0, 0
for _, m in ipairs(batch) do
  local id = idOf(m)
  local key = P .. 'cb:' .. id
  local h = redis.call('HMGET', key, 'state', 'processedAt')
  if h[1] == 'done' and tonumber(h[2]) < before then
    if redis.call('SCARD', P .. 'dlx:ev:' .. id) == 0 then
      redis.call('DEL', key)
      for _, k in ipairs({ 'cbx:all', 'cbx:st:done', 'cbx:processed', 'cbx:due', 'cbx:leased' }) do redis.call('ZREM', P .. k, m) end
      deleted = deleted + 1
    else
      kept = kept + 1
    end
  elseif h[1] == 'done' then
    redis.call('ZADD', idx, h[2], m)
  else
    redis.call('ZREM', idx, m)
  end
end
return { #batch, kept, deleted }
`;

/** Forgets a target that has no delivery left. ARGV: P, target. Returns 1 when forgotten. */
export const PRUNE_TARGET = `
local t = ARGV[2]
for _, s in ipairs({ 'pending', 'delivered', 'dead' }) do
  if redis.call('EXISTS', P .. 'dlx:st:' .. s .. ':' .. t) == 1 then return 0 end
end
redis.call('SREM', P .. 'dlx:targets', t)
redis.call('DEL', P .. 'dlx:tgt:' .. t, P .. 'dlx:due:' .. t, P .. 'dlx:leased:' .. t)
return 1
`;

/**
 * Puts callbacks back into every index their hash says they belong to (and out of the others), and
 * keeps the sequence counter ahead of every sequence in use. ARGV: P, id, … Returns how many existed.
 */
export const RECONCILE_CALLBACKS = `
local n, top = 0, tonumber(redis.call('GET', P .. 'seq') or '0')
for i = 2, #ARGV do
  local id = ARGV[i]
  local h = redis.call('HMGET', P .. 'cb:' .. id, 'state', 'seq', 'receivedAt', 'nextAttemptAt', 'leaseUntil', 'processedAt')
  if h[1] and h[2] then
    local m = mem(h[2], id)
    redis.call('ZADD', P .. 'cbx:all', h[3], m)
    for _, s in ipairs({ 'pending', 'done', 'failed' }) do
      if s == h[1] then redis.call('ZADD', P .. 'cbx:st:' .. s, h[3], m) else redis.call('ZREM', P .. 'cbx:st:' .. s, m) end
    end
    if h[1] == 'pending' and h[5] then
      redis.call('ZREM', P .. 'cbx:due', m)
      redis.call('ZADD', P .. 'cbx:leased', h[5], m)
    elseif h[1] == 'pending' then
      redis.call('ZREM', P .. 'cbx:leased', m)
      redis.call('ZADD', P .. 'cbx:due', h[4], m)
    else
      redis.call('ZREM', P .. 'cbx:due', m)
      redis.call('ZREM', P .. 'cbx:leased', m)
    end
    if h[1] == 'done' then redis.call('ZADD', P .. 'cbx:processed', h[6], m) else redis.call('ZREM', P .. 'cbx:processed', m) end
    if tonumber(h[2]) > top then top = tonumber(h[2]) end
    n = n + 1
  end
end
redis.call('SET', P .. 'seq', string.format('%d', top))
return n
`;

/** The same for deliveries. ARGV: P, id, … Returns how many existed. */
export const RECONCILE_DELIVERIES = `
local n, top = 0, tonumber(redis.call('GET', P .. 'seq') or '0')
for i = 2, #ARGV do
  local id = ARGV[i]
  local h = redis.call('HMGET', P .. 'dl:' .. id, 'state', 'seq', 'target', 'eventId', 'createdAt', 'nextAttemptAt', 'leaseUntil', 'deliveredAt')
  if h[1] and h[2] then
    local t, m = h[3], mem(h[2], id)
    redis.call('ZADD', P .. 'dlx:all', h[5], m)
    redis.call('ZADD', P .. 'dlx:tgt:' .. t, h[5], m)
    redis.call('SADD', P .. 'dlx:ev:' .. h[4], id)
    redis.call('SADD', P .. 'dlx:targets', t)
    for _, s in ipairs({ 'pending', 'delivered', 'dead' }) do
      if s == h[1] then redis.call('ZADD', P .. 'dlx:st:' .. s .. ':' .. t, h[5], m) else redis.call('ZREM', P .. 'dlx:st:' .. s .. ':' .. t, m) end
    end
    if h[1] == 'pending' and h[7] then
      redis.call('ZREM', P .. 'dlx:due:' .. t, m)
      redis.call('ZADD', P .. 'dlx:leased:' .. t, h[7], m)
    elseif h[1] == 'pending' then
      redis.call('ZREM', P .. 'dlx:leased:' .. t, m)
      redis.call('ZADD', P .. 'dlx:due:' .. t, h[6], m)
    else
      redis.call('ZREM', P .. 'dlx:due:' .. t, m)
      redis.call('ZREM', P .. 'dlx:leased:' .. t, m)
    end
    if h[1] == 'delivered' then redis.call('ZADD', P .. 'dlx:delivered', h[8], m) else redis.call('ZREM', P .. 'dlx:delivered', m) end
    if tonumber(h[2]) > top then top = tonumber(h[2]) end
    n = n + 1
  end
end
redis.call('SET', P .. 'seq', string.format('%d', top))
return n
`;
