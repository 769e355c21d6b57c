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

local function key(...) return P .. ':' .. table.concat({...}, ':') end

local function present(value) return value and value ~= '' end

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

-- Publishes the job's summary on its own channel and its group's.
local function notify(id)
  local f = redis.call('HMGET', key('job', id), 'task', 'state', 'group', 'progress_current',
    'progress_total', 'progress_message', 'result', 'exception')
  local summary = {id = id, task = f[1] or '', state = f[2] or '', group = f[3] or '', ts = NOW}
  if present(f[4]) then summary.current = tonumber(f[4]) end
  if present(f[5]) then summary.total = tonumber(f[5]) end
  if present(f[6]) then summary.message = f[6] end
  if f[2] == 'SUCCESS' and present(f[7]) and #f[7] <= 4096 then summary.result = f[7] end
  if f[2] == 'FAILURE' and present(f[8]) then summary.exception = f[8] end
  local payload = cjson.encode(summary)
  redis.call('PUBLISH', key('channel', 'job', id), payload)
  if present(f[3]) then redis.call('PUBLISH', key('channel', 'group', f[3]), payload) end
end

-- Records a new state in the hash and moves the id between state indexes (scored by sent time).
local function move_state(id, old, new, sent)
  if present(old) and old ~= new then redis.call('ZREM', key('jobs', 'state', old), id) end
  redis.call('ZADD', key('jobs', 'state', new), sent, id)
  redis.call('HSET', key('job', id), 'state', new)
end

-- Bumps a counter per minute (kept 25 h), per day (32 days), in total, and per worker.
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
-- `fields` is a flat list of extra hash fields to store. The caller has already removed the id
-- from any queue or in-flight list.
local function conclude(id, outcome, worker, fields, retry_at)
  local job = key('job', id)
  local f = redis.call('HMGET', job, 'task', 'state', 'sent', 'queue', 'runtime', 'exception')
  if not f[1] then return 0 end
  local update = {'HSET', job, TIME_FIELD[outcome], NOW_TEXT}
  for i = 1, #fields, 2 do
    update[#update + 1] = fields[i]
    update[#update + 1] = fields[i + 1]
  end
  redis.call(unpack(update))
  move_state(id, f[2], outcome, f[3])
  if outcome == 'RETRY' then
    redis.call('HINCRBY', job, 'retries', 1)
    redis.call('ZADD', key('scheduled'), retry_at, id)
  else
    redis.call('ZADD', key('jobs', 'done'), NOW, id)
  end
  if outcome == 'SUCCESS' or outcome == 'FAILURE' then count('processed', worker) end
  count(COUNTER[outcome], worker)
  if present(worker) then redis.call('HINCRBY', key('worker', worker, 'tasks'), f[1], 1) end
  local after = redis.call('HMGET', job, 'runtime', 'exception')
  event(EVENT_FOR[outcome], {'id', id, 'task', f[1], 'worker', worker, 'queue', f[4],
    'runtime', after[1], 'exception', after[2]})
  notify(id)
  return 1
end

-- Takes the next runnable job for a worker's child from the queues in ARGV[first..], in priority
-- order: moves it to the worker's in-flight list and marks it STARTED in the same step. Ids with
-- no job record go to the dead-letter list; revoked and expired jobs are dropped on the way.
local function fetch(worker, pid, first)
  local inflight = key('inflight', worker)
  for qi = first, #ARGV do
    local queue = ARGV[qi]
    if redis.call('SISMEMBER', key('paused'), queue) == 0 then
      for _ = 1, 100 do
        local id = redis.call('LMOVE', key('queue', queue), inflight, 'RIGHT', 'LEFT')
        if not id then break end
        local job = key('job', id)
        local f = redis.call('HMGET', job, 'task', 'state', 'args', 'kwargs', 'soft_time_limit', 'time_limit',
          'retries', 'max_retries', 'group', 'expires', 'sent')
        if not f[1] then
          redis.call('LREM', inflight, 1, id)
          redis.call('LPUSH', key('dead'), cjson.encode({value = id, queue = queue, at = NOW,
            error = 'no job record for this id: not a Petal job id'}))
          redis.call('LTRIM', key('dead'), 0, DEAD_MAX - 1)
          event('job-dead-lettered', {'value', string.sub(id, 1, 200), 'queue', queue})
        elseif f[2] == 'REVOKED' or f[2] == 'SUCCESS' or f[2] == 'FAILURE' then
          redis.call('LREM', inflight, 1, id)
        elseif present(f[10]) and tonumber(f[10]) < NOW then
          redis.call('LREM', inflight, 1, id)
          conclude(id, 'REVOKED', '', {'exception', 'Expired: the job expired before a worker took it'})
        else
          local deliveries = redis.call('HINCRBY', job, 'deliveries', 1)
          redis.call('HSET', job, 'worker', worker, 'pid', pid, 'received', NOW_TEXT, 'started', NOW_TEXT)
          move_state(id, f[2], 'STARTED', f[11])
          redis.call('ZADD', key('jobs', 'worker', worker), f[11], id)
          event('task-started', {'id', id, 'task', f[1], 'worker', worker, 'pid', pid, 'queue', queue})
          notify(id)
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
  local f = redis.call('HMGET', job, 'state', 'sent', 'queue')
  if not f[3] then return end
  move_state(id, f[1], 'PENDING', f[2])
  redis.call('HDEL', job, 'pid')
  push_ready(id, f[3], true)
end

"""#
}
