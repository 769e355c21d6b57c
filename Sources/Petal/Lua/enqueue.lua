-- petal_enqueue: creates jobs and makes them ready (or schedules them).
-- args[3] how many jobs, args[4] the producer's name (the `worker` of task-sent), args[5] '1' when
-- every id is new (made by the caller for this call, as UUID4s: no check for an existing record),
-- then per job the 13 fields of JOB_FIELDS ('' = not set). A job whose id already has a record is
-- left as it is: the id is an idempotency key, so a retried enqueue creates nothing twice.
-- Returns one entry per job: 1 created, 0 the id existed.

local JOB_FIELDS = {'id', 'task', 'queue', 'args', 'kwargs', 'group', 'parent', 'max_retries', 'soft_time_limit',
  'time_limit', 'eta', 'expires', 'sent'}
-- Fields stored only when set (and not 0); the numbers among the fields (checked before any write).
local OPTIONAL = {'group', 'parent', 'max_retries', 'soft_time_limit', 'time_limit', 'eta', 'expires'}
local NUMBERS = {'max_retries', 'soft_time_limit', 'time_limit', 'eta', 'expires'}
local FIRST_JOB = 5

local function enqueue(args)
  local n, producer, new_ids = tonumber(args[3]), args[4], args[5] == '1'
  local width = #JOB_FIELDS
  if not n or #args < FIRST_JOB + n * width then
    return redis.error_reply('ERR enqueue: expected ' .. tostring(args[3]) .. ' jobs of ' .. width .. ' fields')
  end
  -- Field i of job j is args[FIRST_JOB + (j - 1) * width + i] (no table per job: enqueue is the hottest call).
  local at = {}
  for i, name in ipairs(JOB_FIELDS) do at[name] = i end
  -- Every number is checked before anything is written: a function that fails half-way keeps its writes.
  for j = 1, n do
    local base = FIRST_JOB + (j - 1) * width
    local id = args[base + at.id]
    if not number(args[base + at.sent]) then
      return redis.error_reply("ERR enqueue: field 'sent' of job " .. id .. ' is not a number')
    end
    for _, name in ipairs(NUMBERS) do
      local value = args[base + at[name]]
      if value ~= '' and not number(value) then
        return redis.error_reply("ERR enqueue: field '" .. name .. "' of job " .. id .. " is '" ..
          string.sub(value, 1, 100) .. "', not a number")
      end
    end
  end
  local indexes, pushes, names, children = batch('ZADD'), batch('LPUSH'), batch('SADD'), batch('SADD')
  local all, pending = key('jobs'), key('jobs', 'state', 'PENDING')
  local ready, named, created = {}, {}, {}
  for j = 1, n do
    local base = FIRST_JOB + (j - 1) * width
    local id, task, queue, sent = args[base + at.id], args[base + at.task], args[base + at.queue], args[base + at.sent]
    local group, eta = args[base + at.group], args[base + at.eta]
    local hash = key('job', id)
    created[j] = 0
    if new_ids or redis.call('EXISTS', hash) == 0 then
      created[j] = 1
      -- The id is the key's own; retries and max_retries of 0 and fields not set are left out.
      local record = {'HSET', hash, 'task', task, 'queue', queue, 'args', args[base + at.args],
        'kwargs', args[base + at.kwargs],
        'state', 'PENDING', 'sent', sent}
      for _, name in ipairs(OPTIONAL) do
        local value = args[base + at[name]]
        if value ~= '' and value ~= '0' then
          record[#record + 1] = name
          record[#record + 1] = value
        end
      end
      redis.call(unpack(record))
      batch_add(indexes, all, sent, id)
      batch_add(indexes, pending, sent, id)
      batch_add(indexes, key('jobs', 'task', task), sent, id)
      batch_add(indexes, key('jobs', 'queue', queue), sent, id)
      if not named[queue] then batch_add(names, key('queues'), queue); named[queue] = true end
      if not named['\0' .. task] then batch_add(names, key('tasks'), task); named['\0' .. task] = true end
      if group ~= '' then batch_add(indexes, key('group', group), sent, id) end
      local parent = args[base + at.parent]
      if parent ~= '' then batch_add(children, key('job', parent, 'children'), id) end
      if eta ~= '' and tonumber(eta) > NOW then
        batch_add(indexes, key('scheduled'), eta, id)
      else
        batch_add(pushes, key('queue', queue), id)
        ready[queue] = (ready[queue] or 0) + 1
      end
      if group == '' and eta == '' then
        event_of('task-sent', 'id', id, 'task', task, 'queue', queue, 'worker', producer)
      else
        event('task-sent', {'id', id, 'task', task, 'queue', queue, 'group', group, 'eta', eta, 'worker', producer})
      end
      if group ~= '' then notify(id, task, 'PENDING', group) end
    end
  end
  send_batch(indexes)
  send_batch(names)
  send_batch(children)
  send_batch(pushes)
  -- One wake-up token per ready job (at most 100) on each queue's bell, rung once per call.
  for queue, tokens in pairs(ready) do ring(queue, tokens) end
  return created
end

register('enqueue', enqueue)
