-- Drops expired presence entries, then reads the channel's presence.
-- KEYS[1] hash (client id -> info JSON), KEYS[2] sorted set (client id -> expiry ms)
-- ARGV[1] 'all': returns {client id, info JSON, ...}; 'stats': returns {clients, distinct users}
local t = redis.call('time')
local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local expired = redis.call('zrangebyscore', KEYS[2], '-inf', now)
if #expired > 0 then
  for i = 1, #expired, 1000 do
    redis.call('hdel', KEYS[1], unpack(expired, i, math.min(i + 999, #expired)))
  end
  redis.call('zremrangebyscore', KEYS[2], '-inf', now)
end
if ARGV[1] == 'all' then
  return redis.call('hgetall', KEYS[1])
end
local infos = redis.call('hvals', KEYS[1])
local users = {}
local distinct = 0
for i = 1, #infos do
  local user = cjson.decode(infos[i])['u']
  if not users[user] then
    users[user] = true
    distinct = distinct + 1
  end
end
return {#infos, distinct}
