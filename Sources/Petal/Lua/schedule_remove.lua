-- petal_schedule_remove: removes schedules. args[3] 'name' then the names to remove; or
-- args[3] 'reconcile', [4] how many task names follow, the task names, then the names to keep:
-- removes every schedule defined in code (origin 'code') whose task is one of those tasks and whose
-- name is not kept (a worker's start: the schedules its code no longer defines). Jobs they
-- enqueued stay. Returns the names removed.

register('schedule_remove', function(args)
  local names = {}
  if args[3] == 'name' then
    names = rest(args, 4)
  elseif args[3] == 'reconcile' then
    local tasks, kept, count_tasks = {}, {}, tonumber(args[4]) or 0
    for i = 5, 4 + count_tasks do tasks[args[i]] = true end
    for i = 5 + count_tasks, #args do kept[args[i]] = true end
    for _, name in ipairs(redis.call('ZRANGE', key('schedules'), 0, -1)) do
      local schedule = read(key('schedule', name), {'origin', 'task'})
      if schedule.origin == 'code' and tasks[schedule.task] and not kept[name] then names[#names + 1] = name end
    end
  else
    return redis.error_reply("ERR schedule_remove: the mode must be 'name' or 'reconcile'")
  end
  local removed = {}
  for _, name in ipairs(names) do
    if redis.call('ZREM', key('schedules'), name) + redis.call('DEL', key('schedule', name)) > 0 then
      removed[#removed + 1] = name
    end
  end
  return removed
end)
