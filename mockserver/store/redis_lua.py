"""The Lua scripts of the Redis backend (see :mod:`mockserver.store.redis` for the key layout).

Every read a unit of work makes is one script (atomic, one round trip) that also returns the
context: the namespace's commit counter, the clock and the head of each queue the process
watches, so the unit knows whether all its reads (and the clock and queue heads it assumed)
saw one state. Every
commit is one script: it checks that what the unit read is still what it was (row versions,
table versions, due queue entries, the clock) and applies all the unit's writes, or applies
nothing and answers with a conflict.

A row is stored as ``<version>|<json>``: ``version`` is the number of the commit that last
wrote it, so reading a row reads its version in the same command.
"""

from __future__ import annotations

# Every read script starts with the same prologue. KEYS: the commit counter, the clock, then
# ARGV[1] queue keys, then the script's own keys (from KEYS[base + 1]); it returns the context
# first: {commit, clock, head score of each queue ('' when empty), ...the script's answer}.
_CONTEXT = """
local nq = tonumber(ARGV[1])
local out = {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or ''}
for i = 1, nq do
  local head = redis.call('ZRANGE', KEYS[2 + i], 0, 0, 'WITHSCORES')
  out[#out + 1] = head[2] or ''
end
local base = 2 + nq
"""

#: The context alone.
PEEK = _CONTEXT + "return out"

#: Own keys: table hash. ARGV[2]: key. -> context, stored row or nil
GET = _CONTEXT + """
out[#out + 1] = redis.call('HGET', KEYS[base + 1], ARGV[2])
return out
"""

#: Own keys: order zset, table hash, content versions. ARGV[2]: table.
#: -> context, table version, key1, row1, key2, row2, ... in the order keys were first stored
ROWS = _CONTEXT + """
out[#out + 1] = redis.call('HGET', KEYS[base + 3], ARGV[2]) or ''
local keys = redis.call('ZRANGE', KEYS[base + 1], 0, -1)
for i = 1, #keys, 1000 do
  local last = math.min(i + 999, #keys)
  local chunk = redis.call('HMGET', KEYS[base + 2], unpack(keys, i, last))
  for j = 1, #chunk do
    out[#out + 1] = keys[i + j - 1]
    out[#out + 1] = chunk[j]
  end
end
return out
"""

#: Own keys: table hash, membership versions. ARGV[2]: table, then keys to test.
#: -> context, membership version, row count, 1/0 for each key tested
COUNT = _CONTEXT + """
out[#out + 1] = redis.call('HGET', KEYS[base + 2], ARGV[2]) or ''
out[#out + 1] = redis.call('HLEN', KEYS[base + 1])
for i = 3, #ARGV do out[#out + 1] = redis.call('HEXISTS', KEYS[base + 1], ARGV[i]) end
return out
"""

#: Own keys: queue zset. ARGV[2]: now. -> context, due entries...
DUE = _CONTEXT + """
local due = redis.call('ZRANGEBYSCORE', KEYS[base + 1], '-inf', ARGV[2])
for i = 1, #due do out[#out + 1] = due[i] end
return out
"""

#: ARGV: key prefix, then the reads to check, then the writes to apply, each an operation
#: letter and its operands:
#:   r table key version       a row read (version '' when it was absent)
#:   a table key               a row added without reading it first: it must still be absent
#:   t table version           rows() of a table (its content version)
#:   m table version           count() of a table (its membership version)
#:   d queue now n e1..en      pop_due(): the due entries seen
#:   c key value               the clock's state as read
#:   C                         clear the namespace (first of the writes)
#:   p table key json          put
#:   x table key               delete
#:   s queue at member         schedule
#:   z queue entry             take a due entry off its queue
#: -> {1, commit number} (or {1, ''} when nothing was written), or {0, what changed}
COMMIT = r"""
local p = ARGV[1]
local n = #ARGV
local i = 2
local function version_of(value)
  if not value then return '' end
  return string.sub(value, 1, string.find(value, '|', 1, true) - 1)
end
while i <= n do
  local op = ARGV[i]
  if op == 'r' then
    if version_of(redis.call('HGET', p .. ':t:' .. ARGV[i + 1], ARGV[i + 2])) ~= ARGV[i + 3] then
      return {0, 'row ' .. ARGV[i + 1] .. '/' .. ARGV[i + 2]}
    end
    i = i + 4
  elseif op == 'a' then
    if redis.call('HEXISTS', p .. ':t:' .. ARGV[i + 1], ARGV[i + 2]) == 1 then
      return {0, 'taken ' .. ARGV[i + 1] .. '/' .. ARGV[i + 2]}
    end
    i = i + 3
  elseif op == 't' or op == 'm' then
    local versions = p .. (op == 't' and ':tv' or ':tm')
    if (redis.call('HGET', versions, ARGV[i + 1]) or '') ~= ARGV[i + 2] then
      return {0, 'table ' .. ARGV[i + 1]}
    end
    i = i + 3
  elseif op == 'd' then
    local due = redis.call('ZRANGEBYSCORE', p .. ':q:' .. ARGV[i + 1], '-inf', ARGV[i + 2])
    local count = tonumber(ARGV[i + 3])
    if #due ~= count then return {0, 'queue ' .. ARGV[i + 1]} end
    for j = 1, count do
      if due[j] ~= ARGV[i + 3 + j] then return {0, 'queue ' .. ARGV[i + 1]} end
    end
    i = i + 4 + count
  elseif op == 'c' then
    if (redis.call('GET', ARGV[i + 1]) or '') ~= ARGV[i + 2] then return {0, 'clock'} end
    i = i + 3
  else
    break
  end
end
if i > n then return {1, ''} end
local version = tostring(redis.call('INCR', p .. ':commit'))
local step = 0
while i <= n do
  local op = ARGV[i]
  if op == 'p' then
    local tbl, key = ARGV[i + 1], ARGV[i + 2]
    if redis.call('HSET', p .. ':t:' .. tbl, key, version .. '|' .. ARGV[i + 3]) == 1 then
      redis.call('ZADD', p .. ':o:' .. tbl, redis.call('INCR', p .. ':seq'), key)
      redis.call('HSET', p .. ':tm', tbl, version)
      redis.call('SADD', p .. ':tables', tbl)
    end
    redis.call('HSET', p .. ':tv', tbl, version)
    i = i + 4
  elseif op == 'x' then
    local tbl, key = ARGV[i + 1], ARGV[i + 2]
    if redis.call('HDEL', p .. ':t:' .. tbl, key) == 1 then
      redis.call('ZREM', p .. ':o:' .. tbl, key)
      redis.call('HSET', p .. ':tm', tbl, version)
      redis.call('HSET', p .. ':tv', tbl, version)
    end
    i = i + 3
  elseif op == 's' then
    step = step + 1
    local at = ARGV[i + 2]
    redis.call('ZADD', p .. ':q:' .. ARGV[i + 1], at,
               ARGV[i + 3] .. '\0' .. at .. '\0' .. version .. '.' .. step)
    redis.call('SADD', p .. ':queues', ARGV[i + 1])
    i = i + 4
  elseif op == 'z' then
    redis.call('ZREM', p .. ':q:' .. ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'C' then
    for _, tbl in ipairs(redis.call('SMEMBERS', p .. ':tables')) do
      redis.call('DEL', p .. ':t:' .. tbl, p .. ':o:' .. tbl)
    end
    for _, queue in ipairs(redis.call('SMEMBERS', p .. ':queues')) do
      redis.call('DEL', p .. ':q:' .. queue)
    end
    redis.call('DEL', p .. ':tables', p .. ':queues', p .. ':tv', p .. ':tm')
    i = i + 1
  else
    return redis.error_reply('mockserver commit: unknown operation ' .. tostring(op))
  end
end
return {1, version}
"""
