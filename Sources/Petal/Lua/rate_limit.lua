-- petal_rate_limit: sets tasks' rate limits. args[3] whose: '' for the whole fleet, else a worker's
-- name (that worker's own limit); args[4] how: 'set' (at run time) or 'code' (a worker declares
-- what its code says, fleet-wide only: a task's limit changes only when the declaration differs
-- from the one last declared, so a run-time change holds until the code's declaration changes);
-- then task/rate pairs, a rate being '<count>/<s|m|h>' (count above 0, digits with at most one
-- point) or '' for none. Every pair is checked before anything is written.
-- A limit that changes resets its budget; a fleet-wide one also puts the task's waiting jobs back
-- at the heads of their queues, earliest slot taken first, where the next takes plan them again
-- (a worker's own limit reserves no slots: its change needs no plan).
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
    if apply and (redis.call('HGET', limits, task) or '') ~= rate then
      if rate == '' then redis.call('HDEL', limits, task) else redis.call('HSET', limits, task, rate) end
      redis.call('HDEL', limits .. ':next', task)
      if whose == '' then back = back + release_waiting(task) end
      changed = changed + 1
    end
  end
  return {changed, back}
end)
