-- petal_heartbeat: a worker's heartbeat, every interval. args[3] worker, [4] seconds the record
-- lives, [5] '1' for the first beat (worker-online, else worker-heartbeat), [6] jobs running,
-- [7] pool size, [8] '1' when the worker has no run-time time limits (its limits hash goes),
-- [9...] the record's field/value pairs (WorkerHeartbeat in Swift, docs/PROTOCOL.md).
-- [4] is a whole number of seconds (1 to 86400).
-- The first beat also clears the worker's own rate limits. Replaces the record whole, refreshes
-- its counters' lifetime and says so in the event stream.
-- Returns 1 when the worker had been reaped meanwhile (its offline_at was set), else 0.

register('heartbeat', function(args)
  local worker, ttl, first, active, concurrency = args[3], args[4], args[5] == '1', args[6], args[7]
  local record = key('worker', worker)
  local fields = rest(args, 9)
  if #fields == 0 or #fields % 2 == 1 then return redis.error_reply('ERR heartbeat: fields must come in pairs') end
  -- Checked before any write: a record without a lifetime would keep a dead worker online forever.
  local lifetime = number(ttl)
  if not lifetime or lifetime < 1 or lifetime ~= math.floor(lifetime) or lifetime > 86400 then
    local shown = string.sub(tostring(ttl), 1, 50)
    return redis.error_reply("ERR heartbeat: lifetime '" .. shown .. "' is not a whole number of seconds from 1 to 86400")
  end
  redis.call('DEL', record)
  redis.call('HSET', record, unpack(fields))
  redis.call('EXPIRE', record, ttl)
  redis.call('ZADD', key('workers'), NOW_TEXT, worker)
  local was_reaped = redis.call('HDEL', key('worker', worker, 'stats'), 'offline_at')
  redis.call('EXPIRE', key('worker', worker, 'stats'), WORKER_STATS_TTL)
  redis.call('EXPIRE', key('worker', worker, 'tasks'), WORKER_STATS_TTL)
  -- A worker's run-time limits go two days after it does (its name may never come back).
  for _, part in ipairs({'limits', 'ratelimits', 'ratelimits:last'}) do
    redis.call('EXPIRE', key('worker', worker, part), WORKER_STATS_TTL)
  end
  if args[8] == '1' then redis.call('DEL', key('worker', worker, 'limits')) end
  -- A worker's own rate limits live as long as the worker (as in Celery): a new start has none.
  if first then
    redis.call('DEL', key('worker', worker, 'ratelimits'), key('worker', worker, 'ratelimits', 'last'))
  end
  event(first and 'worker-online' or 'worker-heartbeat', {'worker', worker, 'active', active, 'concurrency', concurrency})
  return was_reaped
end)
