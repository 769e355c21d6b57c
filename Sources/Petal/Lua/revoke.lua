-- petal_revoke: args[3] id, args[4] '1' to terminate a running job. Records the id in the revoked
-- set; a waiting job ends REVOKED and never runs; a running one is marked `revoke_requested` (the
-- caller then sends the terminate control command to its worker).
-- Returns {status, worker, pid}: status unknown, finished, revoked or running.

register('revoke', function(args)
  local id, terminate = args[3], args[4] == '1'
  local hash = key('job', id)
  local job = read(hash, {'state', 'queue', 'worker', 'pid', 'task'})
  if not job.state then return {'unknown', '', ''} end
  redis.call('ZADD', key('revoked'), NOW, id)
  redis.call('ZREMRANGEBYRANK', key('revoked'), 0, -REVOKED_MAX - 1)
  if job.state == 'SUCCESS' or job.state == 'FAILURE' or job.state == 'REVOKED' then
    return {'finished', job.worker or '', job.pid or ''}
  end
  if job.state == 'STARTED' or job.state == 'PROGRESS' then
    redis.call('HSET', hash, 'revoke_requested', terminate and 'terminate' or 'revoke')
    return {'running', job.worker or '', job.pid or ''}
  end
  redis.call('LREM', key('queue', job.queue), 0, id)
  redis.call('ZREM', key('scheduled'), id)
  -- Waiting on a rate limit: out of the wait sets (its slot stays spent).
  if redis.call('ZREM', key('ratewait', 'queue', job.queue or ''), id) == 1 then
    redis.call('ZREM', key('ratewait', 'task', job.task or ''), id)
    redis.call('HDEL', hash, 'rate_slot')
  end
  conclude(id, 'REVOKED', '', {})
  return {'revoked', '', ''}
end)
