-- petal_progress: progress from inside a running task. args[3] id, [4] current, [5] total,
-- [6] message; current and total are finite numbers. Returns 1, or 0 when the job is not running
-- (nothing is written then).

register('progress', function(args)
  local id, current, total, message = args[3], args[4], args[5], args[6]
  -- Checked before any write: the notice's JSON cannot carry inf or nan.
  if not number(current) or not number(total) then
    return redis.error_reply('ERR progress: current and total must be finite numbers')
  end
  local hash = key('job', id)
  local job = read(hash, {'state', 'sent', 'task', 'worker', 'group'})
  if job.state ~= 'STARTED' and job.state ~= 'PROGRESS' then return 0 end
  redis.call('HSET', hash, 'progress_current', current, 'progress_total', total, 'progress_message', message)
  if job.state == 'STARTED' then
    move_state(id, job.state, 'PROGRESS', job.sent)
    event('task-progress', {'id', id, 'task', job.task, 'worker', job.worker})
  end
  local notice = {current = tonumber(current), total = tonumber(total)}
  if present(message) then notice.message = message end
  notify(id, job.task, 'PROGRESS', job.group, notice)
  return 1
end)
