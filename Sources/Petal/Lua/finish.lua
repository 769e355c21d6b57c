-- petal_finish: a child reports how a job ended and, when asked, takes its next job in the same
-- call. args[3] worker, [4] pid, [5] id, [6] outcome (SUCCESS, FAILURE or RETRY), [7] result JSON,
-- [8] exception, [9] traceback, [10] runtime, [11] '1' to take the next job, [12] retry time,
-- [13] the delivery number fetch handed out, [14...] queues.
-- Returns {acknowledged, the next job's fields...}: acknowledged is 1, 0 when there was nothing to
-- acknowledge (a repeated call), or -1 when the job was handed out again since (reaped and
-- delivered to another worker or child): that run's result is discarded.

local OUTCOMES = {SUCCESS = true, FAILURE = true, RETRY = true}

register('finish', function(args)
  local worker, pid, id, outcome, delivery = args[3], args[4], args[5], args[6], args[13]
  if not OUTCOMES[outcome] then
    return redis.error_reply("ERR finish: outcome '" .. tostring(outcome) .. "' is not SUCCESS, FAILURE or RETRY")
  end
  local acknowledged = 0
  local holder = read(key('job', id), {'worker', 'deliveries', 'revoke_requested'})
  -- Revoked while it ran (without terminate): the run's outcome stands, but it never runs again.
  if outcome == 'RETRY' and present(holder.revoke_requested) then outcome = 'REVOKED' end
  if holder.worker and (holder.worker ~= worker or holder.deliveries ~= delivery) then
    -- Fenced: the in-flight entry (if any) and the record belong to the newer delivery.
    acknowledged = -1
  elseif redis.call('LREM', key('inflight', worker), 1, id) == 1 then
    local extra = {runtime = args[10]}
    if outcome == 'SUCCESS' then
      extra.result = args[7]
    else
      extra.exception = args[8]
      extra.traceback = args[9]
    end
    acknowledged = conclude(id, outcome, worker, extra, args[12])
  end
  local next_job = {}
  if args[11] == '1' then next_job = take(worker, pid, rest(args, 14)) end
  table.insert(next_job, 1, acknowledged)
  return next_job
end)
