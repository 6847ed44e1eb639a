// The Lua script of the Redis id sets (redis-id-sets.ts); `P` is the prefix (see redis-scripts.ts).

/** ARGV: prefix, from, to (relative names). Replaces `to` by `from`; `from` is gone afterwards. */
export const IDS_MOVE = `
local from, to = P .. ARGV[2], P .. ARGV[3]
if redis.call('EXISTS', from) == 1 then
  redis.call('RENAME', from, to)
else
  redis.call('DEL', to)
end
return 1
`;
