-- petal_child_lost: a child process ended while it held jobs. args[3] worker, [4] pid, [5] reason,
-- [6] mode 'fail', 'requeue' or 'release' (a live child giving back the jobs it took ahead: all
-- but [7] go back), [7] the id of the job the child was running ('' if none). Of that
-- child's jobs still in flight, one whose revoke was asked for ends REVOKED; the running one ends
-- FAILURE with the reason (mode 'fail'); every other goes back to the front of its queue: it had
-- not started, or it ran without its result reaching Redis (at least once: it runs again).
-- Returns the ids.

register('child_lost', function(args)
  local worker, pid, reason, mode, running = args[3], args[4], args[5], args[6], args[7] or ''
  if mode ~= 'fail' and mode ~= 'requeue' and mode ~= 'release' then
    return redis.error_reply("ERR child_lost: mode '" .. string.sub(tostring(mode), 1, 50) .. "' is not fail, requeue or release")
  end
  local inflight = key('inflight', worker)
  local handled = {}
  for _, id in ipairs(redis.call('LRANGE', inflight, 0, -1)) do
    local job = read(key('job', id), {'pid', 'revoke_requested'})
    -- 'release': a live child gives back what it took ahead and keeps the job it is running.
    if job.pid == pid and not (mode == 'release' and id == running) then
      redis.call('LREM', inflight, 1, id)
      if present(job.revoke_requested) then
        conclude(id, 'REVOKED', worker, {exception = revoked_text(job.revoke_requested, id == running, reason)})
      elseif mode == 'requeue' or id ~= running then
        requeue(id)
      else
        conclude(id, 'FAILURE', worker, {exception = reason, traceback = ''})
      end
      handled[#handled + 1] = id
    end
  end
  return handled
end)
