-- petal_finish: a child reports how its jobs ended, each acknowledged on its own, and takes its
-- next jobs in the same call. args[3] worker, [4] pid, [5] n outcomes, then per outcome the 8
-- values of OUTCOME_FIELDS (outcome SUCCESS, FAILURE or RETRY; retry_at for RETRY; delivery: the
-- number fetch handed out), then how many jobs to take next (0: none), then the queues.
-- Returns one acknowledgement per outcome, then the jobs taken (12 values each, as fetch): 1 stored,
-- 0 nothing to acknowledge (a repeated call, or the job ended otherwise meanwhile), -1 fenced: the
-- job was handed out again since (reaped and delivered to another worker or child), and that
-- run's result was discarded.
-- Never repeat a call that took jobs after its reply was lost: it would take others. Repeat it
-- taking none (the acknowledgements are then 0), and give the lost ones back with child_lost.

local OUTCOMES = {SUCCESS = true, FAILURE = true, RETRY = true}
local OUTCOME_FIELDS = {'id', 'outcome', 'result', 'exception', 'traceback', 'runtime', 'retry_at', 'delivery'}
local FIRST_OUTCOME = 6
-- What finish reads of a record: the fence (who holds it, which delivery) and what ending it needs.
local FINISH_FIELDS = {'worker', 'deliveries', 'task', 'state', 'sent', 'group', 'retries', 'revoke_requested'}
local FINAL = {SUCCESS = true, FAILURE = true, REVOKED = true}

register('finish', function(args)
  local worker, pid, n = args[3], args[4], tonumber(args[5])
  local width = #OUTCOME_FIELDS
  if not n or #args < FIRST_OUTCOME + n * width then
    return redis.error_reply('ERR finish: expected ' .. tostring(args[5]) .. ' outcomes of ' .. width .. ' values')
  end
  local outcomes = {}
  for j = 1, n do
    local outcome, first = {}, FIRST_OUTCOME + (j - 1) * width
    for i, name in ipairs(OUTCOME_FIELDS) do outcome[name] = args[first + i - 1] end
    -- Checked before any write: a function that fails half-way keeps its writes.
    if not OUTCOMES[outcome.outcome] then
      return redis.error_reply("ERR finish: outcome '" .. tostring(outcome.outcome) .. "' is not SUCCESS, FAILURE or RETRY")
    end
    if outcome.outcome == 'RETRY' and not number(outcome.retry_at) then
      local shown = string.sub(tostring(outcome.retry_at), 1, 50)
      return redis.error_reply("ERR finish: retry time '" .. shown .. "' is not a finite number")
    end
    outcomes[j] = outcome
  end
  local after = FIRST_OUTCOME + n * width
  local wanted = number(args[after], 0)
  local inflight = key('inflight', worker)
  local w = writes()
  local reply = {}
  for j, outcome in ipairs(outcomes) do
    local id = outcome.id
    local job = read(key('job', id), FINISH_FIELDS)
    if job.worker and (job.worker ~= worker or job.deliveries ~= outcome.delivery) then
      -- Fenced: the in-flight entry (if any) and the record belong to the newer delivery.
      reply[j] = -1
    elseif redis.call('LREM', inflight, 1, id) == 1 and not FINAL[job.state] then
      -- Revoked while it ran (without terminate): the run's outcome stands, but it never runs again.
      if outcome.outcome == 'RETRY' and present(job.revoke_requested) then outcome.outcome = 'REVOKED' end
      local extra = {runtime = outcome.runtime}
      if outcome.outcome == 'SUCCESS' then
        extra.result = outcome.result
      else
        extra.exception = outcome.exception
        extra.traceback = outcome.traceback
      end
      reply[j] = conclude(id, outcome.outcome, worker, extra, outcome.retry_at, w, job)
    else
      reply[j] = 0
    end
  end
  for _, value in ipairs(take(worker, pid, rest(args, after + 1), wanted, w)) do reply[#reply + 1] = value end
  send_writes(w)
  return reply
end)
