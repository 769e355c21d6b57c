-- petal_trim: drops the oldest finished jobs beyond the retention, with every index entry.
-- args[3] most finished jobs kept, [4] oldest age kept in seconds, [5] most to drop in this call.
-- Jobs that are not finished are never dropped. Returns how many were dropped.

register('trim', function(args)
  local max_count, max_age, limit = number(args[3]), number(args[4]), number(args[5])
  if not (max_count and max_age and limit) then
    return redis.error_reply('ERR trim: the most kept, the oldest age and the most dropped must be numbers')
  end
  local done = key('jobs', 'done')
  local excess = redis.call('ZCARD', done) - max_count
  local victims = {}
  if excess > 0 then victims = redis.call('ZRANGE', done, 0, math.min(excess, limit) - 1) end
  if #victims < limit then
    local old = redis.call('ZRANGEBYSCORE', done, '-inf', NOW - max_age, 'LIMIT', #victims, limit - #victims)
    for _, id in ipairs(old) do victims[#victims + 1] = id end
  end
  for _, id in ipairs(victims) do
    local hash = key('job', id)
    local job = read(hash, {'state', 'task', 'queue', 'worker', 'group', 'parent'})
    redis.call('ZREM', done, id)
    redis.call('ZREM', key('jobs'), id)
    if job.state then redis.call('ZREM', key('jobs', 'state', job.state), id) end
    if job.task then redis.call('ZREM', key('jobs', 'task', job.task), id) end
    if job.queue then redis.call('ZREM', key('jobs', 'queue', job.queue), id) end
    if present(job.worker) then redis.call('ZREM', key('jobs', 'worker', job.worker), id) end
    if present(job.group) then redis.call('ZREM', key('group', job.group), id) end
    if present(job.parent) then redis.call('SREM', key('job', job.parent, 'children'), id) end
    redis.call('DEL', hash, key('job', id, 'children'))
  end
  return #victims
end)
