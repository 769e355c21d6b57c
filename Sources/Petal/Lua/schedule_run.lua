-- petal_schedule_run: "run now": enqueues one job of a schedule at once, whether paused or not,
-- without moving its next run. args[3] name, [4] the producer's name, [5] the new job's id.
-- Returns 1, or 0 when there is no such schedule.

-- The fields of a schedule a run reads.
local SCHEDULE_JOB_FIELDS = {'task', 'queue', 'args', 'kwargs', 'max_retries', 'soft_time_limit', 'time_limit',
  'expires_in', 'paused'}

-- Claims tick `tick` of schedule `name` (HSETNX on P:schedules:claim:<name>:<tick>, kept for
-- CLAIM_TTL) and, when this call is the first to claim it, enqueues the job `id` and records it on
-- the job (`schedule`, `schedule_tick`) and on the schedule (`last`, `last_job`). Shared with
-- petal_schedule_tick (the next file). Returns 1 when it enqueued, 0 when the tick was claimed before.
local CLAIM_TTL = 3600
local function run_schedule(name, schedule, tick, id, producer)
  local claim = key('schedules', 'claim', name .. ':' .. tick)
  if redis.call('HSETNX', claim, 'job', id) == 0 then return 0 end
  redis.call('EXPIRE', claim, CLAIM_TTL)
  local expires = ''
  if present(schedule.expires_in) then expires = string.format('%.6f', NOW + number(schedule.expires_in, 0)) end
  enqueue({P, NOW_TEXT, '1', producer, '0', id, schedule.task, schedule.queue, schedule.args or '[]',
    schedule.kwargs or '{}', '', '', schedule.max_retries or '', schedule.soft_time_limit or '',
    schedule.time_limit or '', '', expires, NOW_TEXT})
  redis.call('HSET', key('job', id), 'schedule', name, 'schedule_tick', tick)
  redis.call('HSET', key('schedule', name), 'last', tick, 'last_job', id)
  return 1
end

register('schedule_run', function(args)
  local name, producer, id = args[3] or '', args[4] or '', args[5] or ''
  if id == '' then return redis.error_reply('ERR schedule_run: a job id is required') end
  local schedule = read(key('schedule', name), SCHEDULE_JOB_FIELDS)
  if not schedule.task then return 0 end
  return run_schedule(name, schedule, NOW_TEXT, id, producer)
end)
