-- petal_promote: moves due jobs from the scheduled set to their queues. args[3] the most to move.
-- Returns how many were moved.

register('promote', function(args)
  local due = redis.call('ZRANGEBYSCORE', key('scheduled'), '-inf', NOW, 'LIMIT', 0, number(args[3], 0))
  for _, id in ipairs(due) do
    redis.call('ZREM', key('scheduled'), id)
    local queue = redis.call('HGET', key('job', id), 'queue')
    if queue then push_ready(id, queue, false) end
  end
  return #due
end)
