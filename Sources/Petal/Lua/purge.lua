-- petal_purge: empties a queue. args[3] the queue. Every job waiting on it that is not final ends
-- REVOKED with exception "Purged" (counted, evented, notified, added to the revoked set), those
-- waiting on a rate limit included. Scheduled jobs are not touched. Returns how many were purged.

register('purge', function(args)
  local name = args[3]
  local queue = key('queue', name)
  local ids = redis.call('LRANGE', queue, 0, -1)
  local waiting = redis.call('ZRANGE', key('ratewait', 'queue', name), 0, -1)
  for _, id in ipairs(waiting) do
    local task = redis.call('HGET', key('job', id), 'task')
    if task then redis.call('ZREM', key('ratewait', 'task', task), id) end
    redis.call('HDEL', key('job', id), 'rate_slot')
    ids[#ids + 1] = id
  end
  redis.call('DEL', queue, key('bell', name), key('ratewait', 'queue', name))
  local purged = 0
  for _, id in ipairs(ids) do
    local state = redis.call('HGET', key('job', id), 'state')
    if state and state ~= 'SUCCESS' and state ~= 'FAILURE' and state ~= 'REVOKED' then
      redis.call('ZADD', key('revoked'), NOW, id)
      purged = purged + conclude(id, 'REVOKED', '', {exception = 'Purged: queue ' .. name .. ' was purged'})
    end
  end
  redis.call('ZREMRANGEBYRANK', key('revoked'), 0, -REVOKED_MAX - 1)
  return purged
end)
