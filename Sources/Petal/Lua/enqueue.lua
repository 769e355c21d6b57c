-- petal_enqueue: creates jobs and makes them ready (or schedules them).
-- args[3] how many jobs, args[4] the producer's name (the `worker` of task-sent), then per job the
-- 13 fields of JOB_FIELDS ('' = not set). A job whose id already has a record is left as it is:
-- the id is an idempotency key, so a retried enqueue creates nothing twice.
-- Returns one entry per job: 1 created, 0 the id existed.

local JOB_FIELDS = {'id', 'task', 'queue', 'args', 'kwargs', 'group', 'parent', 'max_retries', 'soft_time_limit',
  'time_limit', 'eta', 'expires', 'sent'}
-- Fields stored only when set; of them and max_retries, the numbers (checked before any write).
local OPTIONAL = {'group', 'parent', 'soft_time_limit', 'time_limit', 'eta', 'expires'}
local NUMBERS = {'max_retries', 'soft_time_limit', 'time_limit', 'eta', 'expires'}

local function enqueue(args)
  local n, producer = tonumber(args[3]), args[4]
  local width = #JOB_FIELDS
  if not n or #args < 4 + n * width then
    return redis.error_reply('ERR enqueue: expected ' .. tostring(args[3]) .. ' jobs of ' .. width .. ' fields')
  end
  local jobs = {}
  for j = 1, n do
    local job, first = {}, 4 + (j - 1) * width
    for i, name in ipairs(JOB_FIELDS) do job[name] = args[first + i] end
    jobs[j] = job
  end
  -- Every number is checked before anything is written: a function that fails half-way keeps its writes.
  for _, job in ipairs(jobs) do
    if not number(job.sent) then return redis.error_reply("ERR enqueue: field 'sent' of job " .. job.id .. ' is not a number') end
    for _, name in ipairs(NUMBERS) do
      local value = job[name]
      if present(value) and not number(value) then
        return redis.error_reply("ERR enqueue: field '" .. name .. "' of job " .. job.id .. " is '" ..
          string.sub(value, 1, 100) .. "', not a number")
      end
    end
  end
  local ready, named, created = {}, {}, {}
  for j, job in ipairs(jobs) do
    local id, queue, task, sent = job.id, job.queue, job.task, job.sent
    local hash = key('job', id)
    created[j] = 0
    if redis.call('EXISTS', hash) == 0 then
      created[j] = 1
      local record = {'HSET', hash, 'id', id, 'task', task, 'queue', queue, 'args', job.args, 'kwargs', job.kwargs,
        'state', 'PENDING', 'sent', sent, 'retries', '0', 'max_retries', job.max_retries}
      for _, name in ipairs(OPTIONAL) do
        if job[name] ~= '' then
          record[#record + 1] = name
          record[#record + 1] = job[name]
        end
      end
      redis.call(unpack(record))
      redis.call('ZADD', key('jobs'), sent, id)
      redis.call('ZADD', key('jobs', 'state', 'PENDING'), sent, id)
      redis.call('ZADD', key('jobs', 'task', task), sent, id)
      redis.call('ZADD', key('jobs', 'queue', queue), sent, id)
      if not named[queue] then redis.call('SADD', key('queues'), queue); named[queue] = true end
      if not named['\0' .. task] then redis.call('SADD', key('tasks'), task); named['\0' .. task] = true end
      if present(job.group) then redis.call('ZADD', key('group', job.group), sent, id) end
      if present(job.parent) then redis.call('SADD', key('job', job.parent, 'children'), id) end
      if present(job.eta) and tonumber(job.eta) > NOW then
        redis.call('ZADD', key('scheduled'), job.eta, id)
      else
        redis.call('LPUSH', key('queue', queue), id)
        ready[queue] = (ready[queue] or 0) + 1
      end
      event('task-sent', {'id', id, 'task', task, 'queue', queue, 'group', job.group, 'eta', job.eta, 'worker', producer})
      if present(job.group) then notify(id, task, 'PENDING', job.group) end
    end
  end
  -- One wake-up token per ready job (at most 100) on each queue's bell, rung once per call.
  for queue, tokens in pairs(ready) do ring(queue, tokens) end
  return created
end

register('enqueue', enqueue)
