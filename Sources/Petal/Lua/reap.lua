-- Recovering the jobs of dead workers: petal_reap for one worker, petal_reap_dead for every
-- worker whose heartbeat expired.
--
-- A worker is dead when its heartbeat key is gone and (unless it reaps itself) nobody hears a probe
-- PUBLISHed on its control channel: a worker that could not write its heartbeat (Redis out of
-- memory) still listens there, and taking its jobs would run them twice. PUBLISH answers how many
-- received the probe, and Redis allows it while out of memory.

local PROBE = '{"probe":"reap"}'
-- Workers last seen longer ago than this leave the workers set.
local WORKER_FORGOTTEN_AFTER = 86400

-- Recovers `worker`'s in-flight jobs: each goes back to the front of its queue, or ends FAILURE
-- once redelivered `max_redeliveries` times, or REVOKED when a revoke was asked for. The first time
-- for a worker that was online, appends worker-offline and sets `offline_at`. Returns requeued,
-- failed, alive.
local function reap_worker(worker, max_redeliveries, own)
  if redis.call('EXISTS', key('worker', worker)) == 1 then return 0, 0, false end
  if not own and redis.call('PUBLISH', key('control', worker), PROBE) > 0 then return 0, 0, true end
  local inflight = key('inflight', worker)
  local requeued, failed = 0, 0
  for _, id in ipairs(redis.call('LRANGE', inflight, 0, -1)) do
    redis.call('LREM', inflight, 1, id)
    local hash = key('job', id)
    local job = read(hash, {'redeliveries', 'revoke_requested', 'task'})
    local redelivered = number(job.redeliveries, 0)
    if job.task then
      if present(job.revoke_requested) then
        conclude(id, 'REVOKED', worker, {exception = revoked_text(job.revoke_requested, true, 'its worker was lost')})
      elseif redelivered >= max_redeliveries then
        conclude(id, 'FAILURE', worker, {exception = 'WorkerLostError: worker ' .. worker ..
          ' died while running this job, and it was redelivered ' .. redelivered .. ' times already', traceback = ''})
        failed = failed + 1
      else
        redis.call('HSET', hash, 'redeliveries', redelivered + 1)
        requeue(id)
        requeued = requeued + 1
      end
    end
  end
  -- Only a worker that was online goes offline: a name starting for the first time (reaping its
  -- own name) is not in the workers set yet, and gets no worker-offline before its worker-online.
  if redis.call('ZSCORE', key('workers'), worker)
    and redis.call('HSETNX', key('worker', worker, 'stats'), 'offline_at', NOW_TEXT) == 1 then
    event('worker-offline', {'worker', worker, 'requeued', requeued, 'failed', failed})
  end
  return requeued, failed, false
end

-- petal_reap: args[3] worker, [4] most redeliveries, [5] '1' when the worker itself calls (at
-- start, or going offline: no probe). Returns {requeued, failed}, or {0, 0, 'alive'} when the
-- probe was heard.
register('reap', function(args)
  local requeued, failed, alive = reap_worker(args[3], number(args[4], 0), args[5] == '1')
  if alive then return {0, 0, 'alive'} end
  return {requeued, failed}
end)

-- petal_reap_dead: what every worker runs each heartbeat interval. args[3] the caller's own name
-- (never reaped here), [4] most redeliveries. Forgets workers not seen for a day, then reaps every
-- other worker without a heartbeat that has jobs in flight or was never marked offline.
-- Returns {worker, requeued, failed, alive (1/0), ...} for each worker it looked at.
register('reap_dead', function(args)
  local self, max_redeliveries = args[3], number(args[4], 0)
  redis.call('ZREMRANGEBYSCORE', key('workers'), '-inf', NOW - WORKER_FORGOTTEN_AFTER)
  local result = {}
  for _, worker in ipairs(redis.call('ZRANGE', key('workers'), 0, -1)) do
    if worker ~= self and redis.call('EXISTS', key('worker', worker)) == 0
      and (redis.call('LLEN', key('inflight', worker)) > 0
        or redis.call('HEXISTS', key('worker', worker, 'stats'), 'offline_at') == 0) then
      local requeued, failed, alive = reap_worker(worker, max_redeliveries, false)
      result[#result + 1] = worker
      result[#result + 1] = requeued
      result[#result + 1] = failed
      result[#result + 1] = alive and 1 or 0
    end
  end
  return result
end)
