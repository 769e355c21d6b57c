#!lua name=petal
-- Petal's Redis function library (docs/PROTOCOL.md). Redis loads this file with the other .lua
-- files of this folder laid after it in name order, as one library: `FUNCTION LOAD REPLACE` of
-- the concatenation. This file holds what the functions share; each other file registers one
-- function, `petal_<file name>`, with `register` below.
--
-- Every function takes no keys: its first two arguments are the key prefix and the caller's clock
-- (seconds since 1970 as decimal text), so all of a call's writes share one "now", and key names
-- are built here from the prefix (Petal runs on one Redis, not a cluster).

local P, NOW_TEXT, NOW -- set from the first two arguments of each call, before its body runs

-- The protocol's caps: events kept in the stream, dead letters, recently revoked ids, and the
-- longest result a notice carries.
local EVENTS_MAX = 100000
local DEAD_MAX = 10000
local REVOKED_MAX = 10000
local NOTICE_RESULT_MAX = 4096
-- Counters per minute live 25 hours, per day 32 days; a worker's counters 2 days past its last beat.
local MINUTE_STATS_TTL = 90000
local DAY_STATS_TTL = 2764800
local WORKER_STATS_TTL = 172800

-- Key names from parts; written out rather than with table.concat, which allocates a table per key.
local function key(a, b, c, d)
  if d then return P .. ':' .. a .. ':' .. b .. ':' .. c .. ':' .. d end
  if c then return P .. ':' .. a .. ':' .. b .. ':' .. c end
  if b then return P .. ':' .. a .. ':' .. b end
  return P .. ':' .. a
end

local function present(value) return value and value ~= '' end

-- Redis keeps whatever a function wrote before a Lua error, so no function may fail half-way on a
-- value it read: numbers from records go through these two, and a record a worker cannot use is
-- caught by `corrupt_field` before anything is written.

-- A finite number from text, or `fallback` when the text is missing or not a finite number.
local function number(value, fallback)
  local n = tonumber(value)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return fallback end
  return n
end

-- A sorted-set score from a record's time field: the text itself when it is a number (a Lua
-- number would lose the microseconds), else now, so the job stays listed.
local function score(text)
  if number(text) then return text end
  return NOW_TEXT
end

-- The first of `names` whose value in `record` is present but not a finite number, described;
-- nil when all are fine.
local function corrupt_field(record, names)
  for _, name in ipairs(names) do
    local value = record[name]
    if present(value) and not number(value) then
      return "CorruptJobRecord: field '" .. name .. "' is '" .. string.sub(value, 1, 100) .. "', not a number"
    end
  end
  return nil
end

-- Fields of a hash by name (one HMGET): record.state, not f[2]. A missing field reads false.
local function read(hash, names)
  local values = redis.call('HMGET', hash, unpack(names))
  local record = {}
  for i, name in ipairs(names) do record[name] = values[i] end
  return record
end

-- Appends one entry to the capped event stream; empty fields are left out.
local function event(kind, fields)
  local args = {'XADD', key('events'), 'MAXLEN', '~', EVENTS_MAX, '*', 'type', kind, 'ts', NOW_TEXT}
  for i = 1, #fields, 2 do
    if present(fields[i + 1]) then
      args[#args + 1] = fields[i]
      args[#args + 1] = tostring(fields[i + 1])
    end
  end
  redis.call(unpack(args))
end

-- Publishes a job notice on the job's channel and its group's: JSON with id, task, state, group
-- (empty when none) and ts, plus what `extra` adds (progress, result, exception). Callers pass
-- what they already know, so no extra read is needed.
local function notify(id, task, state, group, extra)
  local notice = extra or {}
  notice.id, notice.task, notice.state, notice.group, notice.ts = id, task, state, group or '', NOW
  local payload = cjson.encode(notice)
  redis.call('PUBLISH', key('channel', 'job', id), payload)
  if present(group) then redis.call('PUBLISH', key('channel', 'group', group), payload) end
end

-- Records a new state in the hash and moves the id between state indexes (scored by sent time).
local function move_state(id, old, new, sent)
  if present(old) and old ~= new then redis.call('ZREM', key('jobs', 'state', old), id) end
  redis.call('ZADD', key('jobs', 'state', new), score(sent), id)
  redis.call('HSET', key('job', id), 'state', new)
end

-- Bumps a counter per minute, per day, in total, and per worker. "processed" is not stored: it
-- is succeeded + failed.
local function count(field, worker)
  local minute = key('stats', 'minute', string.format('%d', math.floor(NOW / 60)))
  if redis.call('HINCRBY', minute, field, 1) == 1 then redis.call('EXPIRE', minute, MINUTE_STATS_TTL) end
  local day = key('stats', 'day', string.format('%d', math.floor(NOW / 86400)))
  if redis.call('HINCRBY', day, field, 1) == 1 then redis.call('EXPIRE', day, DAY_STATS_TTL) end
  redis.call('HINCRBY', key('stats', 'total'), field, 1)
  if present(worker) then redis.call('HINCRBY', key('worker', worker, 'stats'), field, 1) end
end

-- Rings a queue's bell: `tokens` wake-up tokens for idle children, the bell kept to 100.
local function ring(queue, tokens)
  local bell = key('bell', queue)
  local push = {'LPUSH', bell}
  for _ = 1, math.min(tokens, 100) do push[#push + 1] = '1' end
  redis.call(unpack(push))
  redis.call('LTRIM', bell, 0, 99)
end

-- Makes a job ready: onto its queue list (`first`: the right end, taken next) and rings its bell.
local function push_ready(id, queue, first)
  redis.call(first and 'RPUSH' or 'LPUSH', key('queue', queue), id)
  ring(queue, 1)
end

-- What each end of a run is called in the event stream, the job's time fields and the counters.
local EVENT_FOR = {SUCCESS = 'task-succeeded', FAILURE = 'task-failed', RETRY = 'task-retried', REVOKED = 'task-revoked'}
local TIME_FIELD = {SUCCESS = 'succeeded', FAILURE = 'failed', RETRY = 'retried', REVOKED = 'revoked'}
local COUNTER = TIME_FIELD

-- Ends a run of a job: SUCCESS, FAILURE, REVOKED (final) or RETRY (scheduled at retry_at).
-- `extra` maps hash fields to store (runtime, result, exception, traceback). The caller has
-- already removed the id from any queue or in-flight list. Returns 1, or 0 for a job with no record.
local function conclude(id, outcome, worker, extra, retry_at)
  local hash = key('job', id)
  local job = read(hash, {'task', 'state', 'sent', 'queue', 'group', 'retries'})
  if not job.task then return 0 end
  local update = {'HSET', hash, 'state', outcome, TIME_FIELD[outcome], NOW_TEXT}
  for field, value in pairs(extra) do
    update[#update + 1] = field
    update[#update + 1] = value
  end
  redis.call(unpack(update))
  if present(job.state) and job.state ~= outcome then redis.call('ZREM', key('jobs', 'state', job.state), id) end
  redis.call('ZADD', key('jobs', 'state', outcome), score(job.sent), id)
  if outcome == 'RETRY' then
    redis.call('HSET', hash, 'retries', number(job.retries, 0) + 1)
    redis.call('ZADD', key('scheduled'), retry_at, id)
  else
    redis.call('ZADD', key('jobs', 'done'), NOW, id)
  end
  count(COUNTER[outcome], worker)
  if present(worker) then redis.call('HINCRBY', key('worker', worker, 'tasks'), job.task, 1) end
  event(EVENT_FOR[outcome], {'id', id, 'task', job.task, 'worker', worker, 'queue', job.queue,
    'runtime', extra.runtime, 'exception', extra.exception})
  local notice = {}
  if outcome == 'SUCCESS' then
    if extra.result and #extra.result <= NOTICE_RESULT_MAX then notice.result = extra.result end
  else
    notice.exception = extra.exception
  end
  notify(id, job.task, outcome, job.group, notice)
  return 1
end

-- The record fields a take reads, and those of them that must hold numbers (checked in this order).
local TAKE_FIELDS = {'task', 'state', 'args', 'kwargs', 'soft_time_limit', 'time_limit', 'retries', 'max_retries',
  'group', 'expires', 'sent', 'deliveries', 'eta', 'redeliveries', 'worker'}
local TAKE_NUMBERS = {'soft_time_limit', 'time_limit', 'retries', 'max_retries', 'expires', 'sent', 'deliveries',
  'eta', 'redeliveries'}
-- States in which an id on a queue is runnable: PENDING (enqueued, re-queued) and RETRY (promoted
-- after a failure). RECEIVED, STARTED and PROGRESS mean another child holds it (an id pushed twice);
-- final states mean it ran.
local TAKEN_OR_DONE = {RECEIVED = true, STARTED = true, PROGRESS = true, SUCCESS = true, FAILURE = true, REVOKED = true}

-- Takes the next runnable job for a worker's child from `queues`, in priority order: moves it to
-- the worker's in-flight list and marks it STARTED in the same step. Ids with no job record go to
-- the dead-letter list; jobs already taken, revoked, finished or expired are dropped on the way; a
-- record with a bad value ends FAILURE naming the field. A worker whose heartbeat key is gone takes
-- nothing: other workers may be recovering its jobs as lost. Returns the job as fetch's reply
-- lists it (docs/PROTOCOL.md), or {}.
local function take(worker, pid, queues)
  if redis.call('EXISTS', key('worker', worker)) == 0 then return {} end
  local inflight = key('inflight', worker)
  for _, queue in ipairs(queues) do
    if redis.call('SISMEMBER', key('paused'), queue) == 0 then
      for _ = 1, 100 do
        local id = redis.call('LMOVE', key('queue', queue), inflight, 'RIGHT', 'LEFT')
        if not id then break end
        local hash = key('job', id)
        local job = read(hash, TAKE_FIELDS)
        local corrupt = job.task and corrupt_field(job, TAKE_NUMBERS)
        if not job.task then
          redis.call('LREM', inflight, 1, id)
          redis.call('LPUSH', key('dead'), cjson.encode({value = id, queue = queue, at = NOW,
            error = 'no job record for this id: not a Petal job id'}))
          redis.call('LTRIM', key('dead'), 0, DEAD_MAX - 1)
          event('job-dead-lettered', {'value', string.sub(id, 1, 200), 'queue', queue})
        elseif TAKEN_OR_DONE[job.state] then
          redis.call('LREM', inflight, 1, id)
        elseif job.state ~= 'PENDING' and job.state ~= 'RETRY' then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'FAILURE', '', {exception = "CorruptJobRecord: field 'state' is '" ..
            string.sub(job.state or '', 1, 100) .. "', not a state a queued job can have", traceback = ''})
        elseif corrupt then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'FAILURE', '', {exception = corrupt, traceback = ''})
        elseif present(job.expires) and tonumber(job.expires) < NOW then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'REVOKED', '', {exception = 'Expired: the job expired before a worker took it'})
        else
          local deliveries = number(job.deliveries, 0) + 1
          redis.call('HSET', hash, 'state', 'STARTED', 'worker', worker, 'pid', pid, 'received', NOW_TEXT,
            'started', NOW_TEXT, 'deliveries', deliveries)
          if present(job.state) then redis.call('ZREM', key('jobs', 'state', job.state), id) end
          redis.call('ZADD', key('jobs', 'state', 'STARTED'), score(job.sent), id)
          redis.call('ZADD', key('jobs', 'worker', worker), score(job.sent), id)
          -- A redelivered job is listed under the worker that took it last, and only there.
          if present(job.worker) and job.worker ~= worker then redis.call('ZREM', key('jobs', 'worker', job.worker), id) end
          -- Received and started in one step; both events, so Flower's metrics and tools see both.
          event('task-received', {'id', id, 'task', job.task, 'worker', worker, 'queue', queue})
          event('task-started', {'id', id, 'task', job.task, 'worker', worker, 'pid', pid, 'queue', queue})
          notify(id, job.task, 'STARTED', job.group)
          local override = redis.call('HGET', key('worker', worker, 'limits'), job.task)
          return {id, job.task, job.args or '[]', job.kwargs or '{}', job.soft_time_limit or '', job.time_limit or '',
            job.retries or '0', job.max_retries or '0', queue, job.group or '', tostring(deliveries), override or ''}
        end
      end
    end
  end
  return {}
end

-- Puts a job taken by a worker back at the front of its queue.
local function requeue(id)
  local hash = key('job', id)
  local job = read(hash, {'state', 'sent', 'queue', 'task', 'group'})
  if not job.queue then return end
  move_state(id, job.state, 'PENDING', job.sent)
  redis.call('HDEL', hash, 'pid')
  push_ready(id, job.queue, true)
  notify(id, job.task, 'PENDING', job.group)
end

-- The arguments from `first` on, as a list (queue names, index keys).
local function rest(args, first)
  local list = {}
  for i = first, #args do list[#list + 1] = args[i] end
  return list
end

-- Registers `body` as the function `petal_<name>`, called with the arguments after the prefix and
-- clock (args[3] is its first). Without flags a function may write, and Redis refuses it whole
-- while out of memory (rather than letting it delete, then fail on its first write); read-only
-- ones say `no-writes` and run even then.
local function register(name, body, flags)
  redis.register_function({function_name = 'petal_' .. name, flags = flags, callback = function(_, args)
    P, NOW_TEXT = args[1], args[2]
    NOW = number(NOW_TEXT)
    if not P or not NOW then
      return redis.error_reply('ERR petal_' .. name .. ': the first arguments must be the key prefix and the time now')
    end
    return body(args)
  end})
end
