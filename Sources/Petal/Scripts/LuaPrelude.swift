/// Lua shared by every Petal script: key names, state moves, counters, events and notices.
/// ARGV[1] is the key prefix and ARGV[2] the caller's clock (seconds since 1970, decimal text),
/// so every script sees one "now" and keys are built here from the prefix (Petal assumes a single
/// Redis, not a cluster). docs/PROTOCOL.md describes each key these helpers touch.
enum LuaPrelude {
    static let source = #"""
local P = ARGV[1]
local NOW_TEXT = ARGV[2]
local NOW = tonumber(NOW_TEXT)
local EVENTS_MAX = 100000
local DEAD_MAX = 10000
local REVOKED_MAX = 10000

-- Key names from parts; written out rather than with table.concat, which allocates a table per key.
local function key(a, b, c, d)
  if d then return P .. ':' .. a .. ':' .. b .. ':' .. c .. ':' .. d end
  if c then return P .. ':' .. a .. ':' .. b .. ':' .. c end
  if b then return P .. ':' .. a .. ':' .. b end
  return P .. ':' .. a
end

local function present(value) return value and value ~= '' end

-- Redis keeps whatever a script wrote before a Lua error, so no script may fail half-way on a
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

-- Describes the first bad value among `names` (field names) and `values` (their texts): a present
-- value that is not a finite number. nil when all are fine.
local function corrupt_field(names, values)
  for i, name in ipairs(names) do
    local value = values[i]
    if present(value) and not number(value) then
      return "CorruptJobRecord: field '" .. name .. "' is '" .. string.sub(value, 1, 100) .. "', not a number"
    end
  end
  return nil
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

-- Publishes a job's summary (a table with id, task, state, group, ...) on the job's channel and
-- its group's. Callers pass what they already know, so no extra read is needed.
local function notify(summary)
  summary.ts = NOW
  local payload = cjson.encode(summary)
  redis.call('PUBLISH', key('channel', 'job', summary.id), payload)
  if present(summary.group) then redis.call('PUBLISH', key('channel', 'group', summary.group), payload) end
end

-- Records a new state in the hash and moves the id between state indexes (scored by sent time).
local function move_state(id, old, new, sent)
  if present(old) and old ~= new then redis.call('ZREM', key('jobs', 'state', old), id) end
  redis.call('ZADD', key('jobs', 'state', new), score(sent), id)
  redis.call('HSET', key('job', id), 'state', new)
end

-- Bumps a counter per minute (kept 25 h), per day (32 days), in total, and per worker.
-- "processed" is not stored: it is succeeded + failed.
local function count(field, worker)
  local minute = key('stats', 'minute', string.format('%d', math.floor(NOW / 60)))
  if redis.call('HINCRBY', minute, field, 1) == 1 then redis.call('EXPIRE', minute, 90000) end
  local day = key('stats', 'day', string.format('%d', math.floor(NOW / 86400)))
  if redis.call('HINCRBY', day, field, 1) == 1 then redis.call('EXPIRE', day, 2764800) end
  redis.call('HINCRBY', key('stats', 'total'), field, 1)
  if present(worker) then redis.call('HINCRBY', key('worker', worker, 'stats'), field, 1) end
end

-- Makes a job ready: onto its queue list (the right end is taken next) and a wake-up token on its bell.
local function push_ready(id, queue, first)
  if first then redis.call('RPUSH', key('queue', queue), id) else redis.call('LPUSH', key('queue', queue), id) end
  local bell = key('bell', queue)
  redis.call('LPUSH', bell, '1')
  redis.call('LTRIM', bell, 0, 99)
end

local EVENT_FOR = {SUCCESS = 'task-succeeded', FAILURE = 'task-failed', RETRY = 'task-retried', REVOKED = 'task-revoked'}
local TIME_FIELD = {SUCCESS = 'succeeded', FAILURE = 'failed', RETRY = 'retried', REVOKED = 'revoked'}
local COUNTER = {SUCCESS = 'succeeded', FAILURE = 'failed', RETRY = 'retried', REVOKED = 'revoked'}

-- Ends a run of a job: SUCCESS, FAILURE, REVOKED (final) or RETRY (scheduled at retry_at).
-- `extra` maps hash fields to store (runtime, result, exception, traceback). The caller has
-- already removed the id from any queue or in-flight list.
local function conclude(id, outcome, worker, extra, retry_at)
  local job = key('job', id)
  local f = redis.call('HMGET', job, 'task', 'state', 'sent', 'queue', 'group', 'retries')
  if not f[1] then return 0 end
  local update = {'HSET', job, 'state', outcome, TIME_FIELD[outcome], NOW_TEXT}
  for field, value in pairs(extra) do
    update[#update + 1] = field
    update[#update + 1] = value
  end
  redis.call(unpack(update))
  if present(f[2]) and f[2] ~= outcome then redis.call('ZREM', key('jobs', 'state', f[2]), id) end
  redis.call('ZADD', key('jobs', 'state', outcome), score(f[3]), id)
  if outcome == 'RETRY' then
    redis.call('HSET', job, 'retries', number(f[6], 0) + 1)
    redis.call('ZADD', key('scheduled'), retry_at, id)
  else
    redis.call('ZADD', key('jobs', 'done'), NOW, id)
  end
  count(COUNTER[outcome], worker)
  if present(worker) then redis.call('HINCRBY', key('worker', worker, 'tasks'), f[1], 1) end
  event(EVENT_FOR[outcome], {'id', id, 'task', f[1], 'worker', worker, 'queue', f[4],
    'runtime', extra.runtime, 'exception', extra.exception})
  local summary = {id = id, task = f[1], state = outcome, group = f[5] or ''}
  if outcome == 'SUCCESS' and extra.result and #extra.result <= 4096 then summary.result = extra.result end
  if outcome ~= 'SUCCESS' then summary.exception = extra.exception end
  notify(summary)
  return 1
end

-- The record fields fetch reads, and those of them that must hold numbers.
local FETCH_FIELDS = {'task', 'state', 'args', 'kwargs', 'soft_time_limit', 'time_limit', 'retries', 'max_retries',
  'group', 'expires', 'sent', 'deliveries', 'eta', 'redeliveries'}
local FETCH_NUMERIC_NAMES, FETCH_NUMERIC_AT = {}, {5, 6, 7, 8, 10, 11, 12, 13, 14}
for i, at in ipairs(FETCH_NUMERIC_AT) do FETCH_NUMERIC_NAMES[i] = FETCH_FIELDS[at] end
-- States in which an id on a queue is runnable: PENDING (enqueued, re-queued) and RETRY (promoted
-- after a failure). RECEIVED, STARTED and PROGRESS mean another child holds it (an id pushed twice);
-- final states mean it ran.
local TAKEN_OR_DONE = {RECEIVED = true, STARTED = true, PROGRESS = true, SUCCESS = true, FAILURE = true, REVOKED = true}

-- Takes the next runnable job for a worker's child from the queues in ARGV[first..], in priority
-- order: moves it to the worker's in-flight list and marks it STARTED in the same step. Ids with
-- no job record go to the dead-letter list; jobs already taken, revoked, finished or expired are
-- dropped on the way; a record with a bad value ends FAILURE naming the field. A worker whose
-- heartbeat key is gone takes nothing: other workers may be recovering its jobs as lost.
local function fetch(worker, pid, first)
  if redis.call('EXISTS', key('worker', worker)) == 0 then return {} end
  local inflight = key('inflight', worker)
  for qi = first, #ARGV do
    local queue = ARGV[qi]
    if redis.call('SISMEMBER', key('paused'), queue) == 0 then
      for _ = 1, 100 do
        local id = redis.call('LMOVE', key('queue', queue), inflight, 'RIGHT', 'LEFT')
        if not id then break end
        local job = key('job', id)
        local f = redis.call('HMGET', job, unpack(FETCH_FIELDS))
        local numbers = {}
        for i, at in ipairs(FETCH_NUMERIC_AT) do numbers[i] = f[at] end
        local corrupt = f[1] and corrupt_field(FETCH_NUMERIC_NAMES, numbers)
        if not f[1] then
          redis.call('LREM', inflight, 1, id)
          redis.call('LPUSH', key('dead'), cjson.encode({value = id, queue = queue, at = NOW,
            error = 'no job record for this id: not a Petal job id'}))
          redis.call('LTRIM', key('dead'), 0, DEAD_MAX - 1)
          event('job-dead-lettered', {'value', string.sub(id, 1, 200), 'queue', queue})
        elseif TAKEN_OR_DONE[f[2]] then
          redis.call('LREM', inflight, 1, id)
        elseif f[2] ~= 'PENDING' and f[2] ~= 'RETRY' then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'FAILURE', '', {exception = "CorruptJobRecord: field 'state' is '" ..
            string.sub(f[2] or '', 1, 100) .. "', not a state a queued job can have", traceback = ''})
        elseif corrupt then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'FAILURE', '', {exception = corrupt, traceback = ''})
        elseif present(f[10]) and tonumber(f[10]) < NOW then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'REVOKED', '', {exception = 'Expired: the job expired before a worker took it'})
        else
          local deliveries = number(f[12], 0) + 1
          redis.call('HSET', job, 'state', 'STARTED', 'worker', worker, 'pid', pid, 'received', NOW_TEXT,
            'started', NOW_TEXT, 'deliveries', deliveries)
          if present(f[2]) then redis.call('ZREM', key('jobs', 'state', f[2]), id) end
          redis.call('ZADD', key('jobs', 'state', 'STARTED'), score(f[11]), id)
          redis.call('ZADD', key('jobs', 'worker', worker), score(f[11]), id)
          -- Received and started in one step; both events, so Flower's metrics and tools see both.
          event('task-received', {'id', id, 'task', f[1], 'worker', worker, 'queue', queue})
          event('task-started', {'id', id, 'task', f[1], 'worker', worker, 'pid', pid, 'queue', queue})
          notify({id = id, task = f[1], state = 'STARTED', group = f[9] or ''})
          local override = redis.call('HGET', key('worker', worker, 'limits'), f[1])
          return {id, f[1], f[3] or '[]', f[4] or '{}', f[5] or '', f[6] or '', f[7] or '0', f[8] or '0',
            queue, f[9] or '', tostring(deliveries), override or ''}
        end
      end
    end
  end
  return {}
end

-- Puts a job taken by a worker back at the front of its queue.
local function requeue(id)
  local job = key('job', id)
  local f = redis.call('HMGET', job, 'state', 'sent', 'queue', 'task', 'group')
  if not f[3] then return end
  move_state(id, f[1], 'PENDING', f[2])
  redis.call('HDEL', job, 'pid')
  push_ready(id, f[3], true)
  notify({id = id, task = f[4], state = 'PENDING', group = f[5] or ''})
end

"""#
}
