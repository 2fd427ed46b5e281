-- Removes one client's presence.
-- KEYS[1] hash (client id -> info JSON), KEYS[2] sorted set (client id -> expiry ms); ARGV[1] client id
redis.call('hdel', KEYS[1], ARGV[1])
redis.call('zrem', KEYS[2], ARGV[1])
return 1
