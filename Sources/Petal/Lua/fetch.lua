-- petal_fetch: a child takes its next jobs. args[3] worker, args[4] the child's pid, args[5] how
-- many jobs at most (a child that runs short jobs takes several, see `take` in prelude.lua),
-- args[6...] the queues in priority order. Returns the jobs, 12 values each, or {}.

register('fetch', function(args)
  local w = writes()
  local taken = take(args[3], args[4], rest(args, 6), number(args[5], 1), w)
  send_writes(w)
  return taken
end)
