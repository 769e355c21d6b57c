-- petal_child_lost: a child process ended while it held jobs. args[3] worker, [4] pid, [5] reason,
-- [6] mode 'fail' or 'requeue'. Each job of that child still in flight ends REVOKED when a revoke
-- was asked for, goes back to the front of its queue ('requeue'), or ends FAILURE with the reason.
-- Returns the ids.

register('child_lost', function(args)
  local worker, pid, reason, mode = args[3], args[4], args[5], args[6]
  local inflight = key('inflight', worker)
  local handled = {}
  for _, id in ipairs(redis.call('LRANGE', inflight, 0, -1)) do
    local job = read(key('job', id), {'pid', 'revoke_requested'})
    if job.pid == pid then
      redis.call('LREM', inflight, 1, id)
      if present(job.revoke_requested) then
        conclude(id, 'REVOKED', worker, {exception = 'Terminated: revoked while running'})
      elseif mode == 'requeue' then
        requeue(id)
      else
        conclude(id, 'FAILURE', worker, {exception = reason, traceback = ''})
      end
      handled[#handled + 1] = id
    end
  end
  return handled
end)
