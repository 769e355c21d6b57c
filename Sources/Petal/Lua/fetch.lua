-- petal_fetch: a child takes its next job. args[3] worker, args[4] the child's pid, args[5...] the
-- queues in priority order. Returns the job (see `take` in prelude.lua) or {}.

register('fetch', function(args)
  return take(args[3], args[4], rest(args, 5))
end)
