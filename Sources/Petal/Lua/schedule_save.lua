-- petal_schedule_save: creates or replaces a periodic schedule (docs/PROTOCOL.md, "Schedules").
-- args[3] name, then SCHEDULE_FIELDS[2..] in order: task, queue, args, kwargs, max_retries,
-- soft_time_limit, time_limit, expires_in, when, tz, missed, origin, next ('' = not set; the
-- caller has checked every value and computed `next`, the first run after now).
-- A schedule keeps its `paused`, `last`, `last_job` and `created`; it keeps its `next` too when
-- `when` and `tz` did not change (a worker's start redefines its schedules without moving a tick).
-- Returns 1 created, 0 replaced.

local SCHEDULE_FIELDS = {'name', 'task', 'queue', 'args', 'kwargs', 'max_retries', 'soft_time_limit', 'time_limit',
  'expires_in', 'when', 'tz', 'missed', 'origin', 'next'}
local SCHEDULE_NUMBERS = {'max_retries', 'soft_time_limit', 'time_limit', 'expires_in', 'next'}

register('schedule_save', function(args)
  local given = {}
  for i, name in ipairs(SCHEDULE_FIELDS) do given[name] = args[i + 2] or '' end
  if given.name == '' or given.task == '' or given.queue == '' or given.when == '' or not number(given.next) then
    return redis.error_reply('ERR schedule_save: name, task, queue, when and next are required')
  end
  for _, name in ipairs(SCHEDULE_NUMBERS) do
    if given[name] ~= '' and not number(given[name]) then
      return redis.error_reply("ERR schedule_save: field '" .. name .. "' is not a number")
    end
  end
  local hash = key('schedule', given.name)
  local old = read(hash, {'when', 'tz', 'next', 'paused', 'created'})
  local next_run = given.next
  if old.when == given.when and (old.tz or '') == given.tz and number(old.next) then next_run = old.next end
  local record = {'HSET', hash, 'next', next_run, 'created', old.created or NOW_TEXT, 'updated', NOW_TEXT}
  for i = 2, #SCHEDULE_FIELDS - 1 do
    local name = SCHEDULE_FIELDS[i]
    if given[name] ~= '' then
      record[#record + 1] = name
      record[#record + 1] = given[name]
    else
      redis.call('HDEL', hash, name)
    end
  end
  redis.call(unpack(record))
  -- A paused schedule stays in the set, at +inf: never due, still listed.
  redis.call('ZADD', key('schedules'), present(old.paused) and '+inf' or next_run, given.name)
  return old.created and 0 or 1
end)
