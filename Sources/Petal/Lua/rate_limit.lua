-- petal_rate_limit: sets tasks' rate limits. args[3] whose: '' for the whole fleet, else a worker's
-- name (that worker's own limit); args[4] how: 'set' (at run time) or 'code' (a worker declares
-- what its code says, fleet-wide only: a task's limit changes only when the declaration differs
-- from the one last declared, so a run-time change holds until the code's declaration changes);
-- then task/rate pairs, a rate being '<count>/<s|m|h>' (count 0.001 to 1000000, at most three
-- decimals) or '' for none. Every pair is checked before anything is written; a worker must be
-- online. A fleet-wide limit whose interval changes puts the task's waiting jobs back at the heads
-- of their queues, earliest slot taken first, where the next takes plan them again (a worker's own
-- limit reserves no slots). The last start is kept: the next one is spaced from it by the new limit.
-- Returns {limits changed, jobs put back}.

-- Puts the jobs of `task` waiting on a rate limit back on their queues.
local function release_waiting(task)
  local waiting = key('ratewait', 'task', task)
  local ids, rung, back = redis.call('ZRANGE', waiting, 0, -1), {}, 0
  redis.call('DEL', waiting)
  -- Latest slot first onto the taken end: the earliest is taken next.
  for i = #ids, 1, -1 do
    local id = ids[i]
    local queue = redis.call('HGET', key('job', id), 'queue')
    if queue then
      redis.call('ZREM', key('ratewait', 'queue', queue), id)
      redis.call('HDEL', key('job', id), 'rate_slot')
      redis.call('RPUSH', key('queue', queue), id)
      rung[queue] = (rung[queue] or 0) + 1
      back = back + 1
    end
  end
  for queue, n in pairs(rung) do ring(queue, n) end
  return back
end

register('rate_limit', function(args)
  local whose, how = args[3], args[4]
  if how ~= 'set' and how ~= 'code' then
    return redis.error_reply("ERR rate_limit: how '" .. string.sub(tostring(how), 1, 20) .. "' is not set or code")
  end
  if how == 'code' and whose ~= '' then
    return redis.error_reply('ERR rate_limit: limits from code are fleet-wide (whose must be empty)')
  end
  if #args < 6 or #args % 2 == 1 then return redis.error_reply('ERR rate_limit: expected task/rate pairs') end
  for i = 5, #args, 2 do
    if args[i] == '' then return redis.error_reply('ERR rate_limit: a task name is empty') end
    if args[i + 1] ~= '' and not rate_interval(args[i + 1]) then
      return redis.error_reply("ERR rate_limit: rate '" .. string.sub(args[i + 1], 1, 40) .. "' is not <count>/s, /m or /h")
    end
  end
  if whose ~= '' and redis.call('EXISTS', key('worker', whose)) == 0 then
    return redis.error_reply("ERR rate_limit: no worker '" .. string.sub(whose, 1, 100) .. "' is online")
  end
  local limits = whose == '' and key('ratelimits') or key('worker', whose, 'ratelimits')
  local changed, back = 0, 0
  for i = 5, #args, 2 do
    local task, rate = args[i], args[i + 1]
    local apply = true
    if how == 'code' then
      local declared = redis.call('HGET', key('ratelimits', 'code'), task) or ''
      apply = declared ~= rate
      if apply and rate == '' then redis.call('HDEL', key('ratelimits', 'code'), task) end
      if apply and rate ~= '' then redis.call('HSET', key('ratelimits', 'code'), task, rate) end
    end
    local old = redis.call('HGET', limits, task) or ''
    if apply and old ~= rate then
      if rate == '' then redis.call('HDEL', limits, task) else redis.call('HSET', limits, task, rate) end
      -- The same rate spelt otherwise (60/h for 1/m) is no change. The last start is kept: a new
      -- limit spaces the next start from it.
      if rate_interval(old) ~= rate_interval(rate) then
        if whose == '' then back = back + release_waiting(task) end
        changed = changed + 1
      end
    end
  end
  if whose ~= '' then
    -- Gone with the worker if it dies (its first heartbeat clears them when it starts again).
    redis.call('EXPIRE', limits, WORKER_STATS_TTL)
    redis.call('EXPIRE', limits .. ':last', WORKER_STATS_TTL)
  end
  return {changed, back}
end)
