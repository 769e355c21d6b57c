-- petal_trim: drops the oldest finished jobs beyond the retention, with every index entry.
-- args[3] most finished jobs kept, [4] oldest age kept in seconds, [5] most to drop in this call.
-- Finished means SUCCESS, FAILURE or REVOKED: their state indexes, scored by sent time, say which
-- are oldest (age counts from when a job was sent). Jobs that are not finished are never dropped.
-- Returns how many were dropped.

local FINISHED = {'SUCCESS', 'FAILURE', 'REVOKED'}

-- The `n` oldest ids of the finished states' indexes together, with their scores (a merge of each
-- index's own oldest), oldest first.
local function oldest_finished(n)
  local heads = {}
  for _, state in ipairs(FINISHED) do
    local ranked = redis.call('ZRANGE', key('jobs', 'state', state), 0, n - 1, 'WITHSCORES')
    for i = 1, #ranked, 2 do heads[#heads + 1] = {id = ranked[i], sent = tonumber(ranked[i + 1])} end
  end
  table.sort(heads, function(a, b) return a.sent < b.sent end)
  local oldest = {}
  for i = 1, math.min(n, #heads) do oldest[i] = heads[i] end
  return oldest
end

register('trim', function(args)
  local max_count, max_age, limit = number(args[3]), number(args[4]), number(args[5])
  if not (max_count and max_age and limit) then
    return redis.error_reply('ERR trim: the most kept, the oldest age and the most dropped must be numbers')
  end
  local finished = 0
  for _, state in ipairs(FINISHED) do finished = finished + redis.call('ZCARD', key('jobs', 'state', state)) end
  local excess = math.max(0, finished - max_count)
  local victims = {}
  for _, head in ipairs(oldest_finished(limit)) do
    if #victims < excess or head.sent < NOW - max_age then victims[#victims + 1] = head.id else break end
  end
  local w = writes()
  local parents = batch('SREM')
  for _, id in ipairs(victims) do
    local hash = key('job', id)
    local job = read(hash, {'state', 'task', 'queue', 'worker', 'group', 'parent'})
    batch_add(w.zrem, key('jobs'), id)
    if job.state then batch_add(w.zrem, key('jobs', 'state', job.state), id) end
    if job.task then batch_add(w.zrem, key('jobs', 'task', job.task), id) end
    if job.queue then batch_add(w.zrem, key('jobs', 'queue', job.queue), id) end
    if present(job.worker) then batch_add(w.zrem, key('jobs', 'worker', job.worker), id) end
    if present(job.group) then batch_add(w.zrem, key('group', job.group), id) end
    if present(job.parent) then batch_add(parents, key('job', job.parent, 'children'), id) end
    redis.call('DEL', hash, key('job', id, 'children'))
  end
  send_writes(w)
  send_batch(parents)
  return #victims
end)
