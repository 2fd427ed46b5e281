-- Stores one publication and assigns its position, atomically.
-- KEYS[1] stream, KEYS[2] meta hash (e: epoch, s: top offset, r: replication id of the master that
-- wrote it), KEYS[3] idempotency key (optional)
-- ARGV[1] history size (0: keep no history), ARGV[2] history TTL ms, ARGV[3] meta TTL ms,
-- ARGV[4] idempotency window ms, ARGV[5] epoch for a channel without meta,
-- ARGV[6] the channel's pub/sub channel, ARGV[7] 's': sharded pub/sub (SPUBLISH, Redis Cluster),
-- 'c': classic PUBLISH, ARGV[8] '1' when published for delta delivery,
-- ARGV[9..] fields and values of the stream entry: d data, i info, t tags (RedisMessages' order)
-- A new publication also goes out on the pub/sub channel, in the order the scripts run, as
-- p<offset> <epoch> <delta> <info bytes> <tags bytes>\n<info><tags><data> (see RedisMessages).
-- Returns {0, "offset:epoch"} for a new publication, {1, "offset:epoch"} for a repeated key.
if #KEYS > 2 then
  local seen = redis.call('get', KEYS[3])
  if seen then
    return {1, seen}
  end
end
local offset = 0
local epoch = ''
local size = tonumber(ARGV[1])
if size > 0 then
  -- The master's replication id changes when a replica is promoted (failover), when Redis restarts,
  -- or with the master of a slot that moved. Replication is asynchronous: the old master may have
  -- stored publications after the last one that reached this one. Continuing the epoch would give
  -- their offsets to other publications, a gap nobody could see; a new epoch makes clients that
  -- recover from those positions get recovered: false. The stream's offsets still continue.
  -- INFO may be denied (ACL without @dangerous, renamed command): then '-', and no master change is seen
  local replication = redis.pcall('info', 'replication')
  local rid = type(replication) == 'string' and string.match(replication, 'master_replid:(%x+)') or '-'
  local meta = redis.call('hmget', KEYS[2], 'e', 's', 'r')
  epoch = meta[1]
  if epoch then
    offset = tonumber(meta[2] or '0') + 1
    if meta[3] ~= rid then
      epoch = ARGV[5]
    end
  else
    -- no meta: a new channel, or Redis lost it; what is left of the stream belongs to a lost epoch
    epoch = ARGV[5]
    redis.call('del', KEYS[1])
    offset = 1
  end
  local t = redis.call('time')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local expires = string.format('%d', now + tonumber(ARGV[2]))
  -- the entry id is the offset, so reads can seek to it; XADD before HSET, so a failed XADD leaves no gap
  redis.call('xadd', KEYS[1], 'MAXLEN', size, string.format('%d-0', offset), 'x', expires, unpack(ARGV, 9))
  redis.call('hset', KEYS[2], 'e', epoch, 's', string.format('%d', offset), 'r', rid)
  -- each entry carries its own expiry; the stream lives as long as its longest-lived entry
  if redis.call('pttl', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('pexpire', KEYS[1], ARGV[2])
  end
  redis.call('pexpire', KEYS[2], ARGV[3])
end
local position = string.format('%d', offset) .. ':' .. epoch
if #KEYS > 2 then
  redis.call('set', KEYS[3], position, 'NX', 'PX', ARGV[4])
end
local data, info, tags = '', '', ''
for j = 9, #ARGV - 1, 2 do
  local f = ARGV[j]
  if f == 'd' then
    data = ARGV[j + 1]
  elseif f == 'i' then
    info = ARGV[j + 1]
  elseif f == 't' then
    tags = ARGV[j + 1]
  end
end
-- sharded: the pub/sub channel shares the keys' hash tag, so it is in the slot this script runs on
redis.call(ARGV[7] == 's' and 'spublish' or 'publish', ARGV[6], 'p' .. string.format('%d', offset) .. ' ' .. epoch .. ' ' .. ARGV[8] .. ' '
  .. #info .. ' ' .. #tags .. '\n' .. info .. tags .. data)
return {0, position}
