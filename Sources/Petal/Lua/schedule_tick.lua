-- petal_schedule_tick: runs due schedules, exactly once per tick across all workers.
-- args[3] the producer's name, [4] how many schedules n, then per schedule: name, due (its score
-- in P:schedules the caller read), next (the first run after now), r, then r pairs (tick, job id):
-- the ticks to run, each with a fresh job id (the caller applied the missed-tick policy).
-- A schedule whose score is no longer `due` was handled by another worker (or changed): skipped
-- whole. Otherwise each tick is claimed and enqueued (run_schedule) and the score moves to `next`.
-- Returns per schedule the jobs enqueued, or -1 when skipped.

register('schedule_tick', function(args)
  local producer, n = args[3], tonumber(args[4])
  if not n then return redis.error_reply('ERR schedule_tick: the schedule count must be a number') end
  -- Every number is checked before any write.
  local at, entries = 5, {}
  for j = 1, n do
    local entry = {name = args[at], due = number(args[at + 1]), next_run = args[at + 2], runs = tonumber(args[at + 3])}
    if not (entry.name and entry.due and number(entry.next_run) and entry.runs) then
      return redis.error_reply('ERR schedule_tick: schedule ' .. j .. ' needs a name, due, next and run count')
    end
    entry.first = at + 4
    for i = 0, entry.runs - 1 do
      if not number(args[entry.first + 2 * i]) or (args[entry.first + 2 * i + 1] or '') == '' then
        return redis.error_reply('ERR schedule_tick: run ' .. (i + 1) .. ' of ' .. entry.name .. ' needs a tick and a job id')
      end
    end
    at = entry.first + 2 * entry.runs
    entries[j] = entry
  end
  local results = {}
  for j, entry in ipairs(entries) do
    results[j] = -1
    local current = number(redis.call('ZSCORE', key('schedules'), entry.name))
    local schedule = read(key('schedule', entry.name), SCHEDULE_JOB_FIELDS)
    if current == entry.due and schedule.task and not present(schedule.paused) then
      local enqueued = 0
      for i = 0, entry.runs - 1 do
        enqueued = enqueued + run_schedule(entry.name, schedule, args[entry.first + 2 * i], args[entry.first + 2 * i + 1],
          producer)
      end
      redis.call('ZADD', key('schedules'), entry.next_run, entry.name)
      redis.call('HSET', key('schedule', entry.name), 'next', entry.next_run)
      results[j] = enqueued
    end
  end
  return results
end)
