-- petal_schedule_pause: pauses or resumes a schedule. args[3] name, [4] '1' pause / '0' resume,
-- [5] (resume) the first run after now, computed by the caller. A paused schedule stays listed in
-- P:schedules at +inf, so no tick finds it due. Returns 1, or 0 when there is no such schedule.

register('schedule_pause', function(args)
  local name, pause, next_run = args[3] or '', args[4] == '1', args[5]
  local hash = key('schedule', name)
  if redis.call('EXISTS', hash) == 0 then return 0 end
  if pause then
    redis.call('HSET', hash, 'paused', NOW_TEXT)
    redis.call('ZADD', key('schedules'), '+inf', name)
  else
    if not number(next_run) then return redis.error_reply('ERR schedule_pause: resuming needs the next run time') end
    redis.call('HDEL', hash, 'paused')
    redis.call('HSET', hash, 'next', next_run)
    redis.call('ZADD', key('schedules'), next_run, name)
  end
  return 1
end)
