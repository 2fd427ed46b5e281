-- Reads a channel's stream position and publications, creating the meta of an unknown channel.
-- KEYS[1] stream, KEYS[2] meta hash (e: epoch, s: top offset, r: replication id of the master that
-- wrote it); a meta another master wrote gets a new epoch, as in publish.lua
-- ARGV[1] epoch for a channel without meta, ARGV[2] TTL ms of meta created here,
-- ARGV[3] '1' when reading after a since position, ARGV[4] its epoch, ARGV[5] its offset,
-- ARGV[6] limit (-1: all, 0: none), ARGV[7] '1' for newest first,
-- ARGV[8] '1' to create nothing: a channel without meta answers epoch '' and offset 0
-- Returns {epoch, top offset, 1 if the since epoch differs else 0, {{offset, data, info, tags}, ...}};
-- info and tags are '' when absent. Publications past their own expiry time are left out.
local replication = redis.pcall('info', 'replication')
local rid = type(replication) == 'string' and string.match(replication, 'master_replid:(%x+)') or '-'
local meta = redis.call('hmget', KEYS[2], 'e', 's', 'r')
local epoch = meta[1]
local top = 0
if not epoch and ARGV[8] == '1' then
  return {'', 0, 0, {}}
elseif not epoch then
  epoch = ARGV[1]
  redis.call('del', KEYS[1])
  redis.call('hset', KEYS[2], 'e', epoch, 's', '0', 'r', rid)
  redis.call('pexpire', KEYS[2], ARGV[2])
else
  top = tonumber(meta[2] or '0')
  if meta[3] ~= rid then
    epoch = ARGV[1]
    redis.call('hset', KEYS[2], 'e', epoch, 'r', rid)
  end
end
local out = {}
local since = ARGV[3] == '1'
if since and ARGV[4] ~= epoch then
  return {epoch, top, 1, out}
end
local limit = tonumber(ARGV[6])
if limit == 0 then
  return {epoch, top, 0, out}
end
local lo = 1
if since then
  lo = tonumber(ARGV[5]) + 1
end
local hi = top
local reverse = ARGV[7] == '1'
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
while lo <= hi do
  local from, to = string.format('%d', lo), string.format('%d', hi)
  local want = limit - #out
  local batch
  if reverse then
    if limit > 0 then
      batch = redis.call('xrevrange', KEYS[1], to, from, 'COUNT', want)
    else
      batch = redis.call('xrevrange', KEYS[1], to, from)
    end
  else
    if limit > 0 then
      batch = redis.call('xrange', KEYS[1], from, to, 'COUNT', want)
    else
      batch = redis.call('xrange', KEYS[1], from, to)
    end
  end
  local last = nil
  for i = 1, #batch do
    local entry = batch[i]
    last = tonumber(string.match(entry[1], '^(%d+)'))
    local fields = entry[2]
    local data, info, tags, expires = '', '', '', 0
    for j = 1, #fields, 2 do
      local f = fields[j]
      if f == 'd' then
        data = fields[j + 1]
      elseif f == 'i' then
        info = fields[j + 1]
      elseif f == 't' then
        tags = fields[j + 1]
      elseif f == 'x' then
        expires = tonumber(fields[j + 1])
      end
    end
    if expires > now then
      out[#out + 1] = {last, data, info, tags}
    end
  end
  -- done when everything was asked for, the limit is reached, or the stream ran out
  if limit < 0 or #out >= limit or #batch < want then
    break
  end
  -- expired publications were skipped: read on past the last one seen
  if reverse then
    hi = last - 1
  else
    lo = last + 1
  end
end
return {epoch, top, 0, out}
