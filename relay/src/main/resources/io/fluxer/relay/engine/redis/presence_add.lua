-- Adds or refreshes one client's presence.
-- KEYS[1] hash (client id -> info JSON), KEYS[2] sorted set (client id -> expiry ms)
-- ARGV[1] TTL ms, ARGV[2] client id, ARGV[3] info JSON
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
redis.call('zadd', KEYS[2], string.format('%d', now + ttl), ARGV[2])
redis.call('hset', KEYS[1], ARGV[2], ARGV[3])
-- the keys live as long as their longest-lived entry; never shorten them
for i = 1, 2 do
  if redis.call('pttl', KEYS[i]) < ttl then
    redis.call('pexpire', KEYS[i], ttl)
  end
end
return 1
