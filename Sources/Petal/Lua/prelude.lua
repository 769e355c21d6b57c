#!lua name=petal
-- Petal's Redis function library (docs/PROTOCOL.md). Redis loads this file with the other .lua
-- files of this folder laid after it in name order, as one library: `FUNCTION LOAD REPLACE` of
-- the concatenation. This file holds what the functions share; each other file registers one
-- function, `petal_<file name>`, with `register` below. The files share one scope: a file's own
-- locals must not take a name another file uses (luacheck says so).
--
-- Every function takes no keys: its first two arguments are the key prefix and the caller's clock
-- (seconds since 1970 as decimal text), so all of a call's writes share one "now", and key names
-- are built here from the prefix (Petal runs on one Redis, not a cluster).

local P, NOW_TEXT, NOW -- set from the first two arguments of each call, before its body runs
local EVENTS -- the event stream's key, made once per call

-- The protocol's caps: events kept in the stream, dead letters, recently revoked ids, and the
-- longest result a notice carries.
local EVENTS_MAX = '100000' -- (text: redis.call would turn a number into text on every call)
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
  -- Lua reads ' 5' and '5\n' as 5, but Redis refuses them as scores: text with spaces is not a number.
  if type(value) == 'string' and (string.find(value, '^%s') or string.find(value, '%s$')) then return fallback end
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

-- A command with many members per key (ZADD key s1 m1 s2 m2 ..., LPUSH key a b ..., ZREM, SADD),
-- collected while a call handles many jobs and sent once per key by `send_batch`: in a function
-- each redis.call costs more than most commands it runs, so one per key beats one per job.
local function batch(command)
  return {command = command, args = {}, keys = {}}
end

local function batch_add(b, k, ...)
  local args = b.args[k]
  if not args then
    args = {b.command, k}
    b.args[k] = args
    b.keys[#b.keys + 1] = k
  end
  for i = 1, select('#', ...) do args[#args + 1] = select(i, ...) end
end

-- Sends the collected commands, each cut into pieces Lua's unpack can take.
local function send_batch(b)
  for _, k in ipairs(b.keys) do
    local args = b.args[k]
    local step = (b.command == 'ZADD' or b.command == 'HINCRBY') and 2000 or 4000
    for first = 3, #args, step do
      local piece = {b.command, k}
      for i = first, math.min(first + step - 1, #args) do piece[#piece + 1] = args[i] end
      redis.call(unpack(piece))
    end
  end
end

-- Appends one entry to the capped event stream with fields that are all present; the hot paths
-- (a job sent, started, ended) call this: no table per event.
local function event_of(kind, ...)
  return redis.call('XADD', EVENTS, 'MAXLEN', '~', EVENTS_MAX, '*', 'type', kind, 'ts', NOW_TEXT, ...)
end

-- Appends one entry to the capped event stream; empty fields are left out.
local function event(kind, fields)
  local args, n = {'XADD', EVENTS, 'MAXLEN', '~', EVENTS_MAX, '*', 'type', kind, 'ts', NOW_TEXT}, 10
  for i = 1, #fields, 2 do
    local value = fields[i + 1]
    if value and value ~= '' then
      args[n + 1], args[n + 2] = fields[i], tostring(value)
      n = n + 2
    end
  end
  redis.call(unpack(args, 1, n))
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

-- Adds `n` to a counter per minute, per day, in total, and per worker. "processed" is not stored:
-- it is succeeded + failed.
local function count(field, worker, n)
  local minute = key('stats', 'minute', string.format('%d', math.floor(NOW / 60)))
  if redis.call('HINCRBY', minute, field, n) == n then redis.call('EXPIRE', minute, MINUTE_STATS_TTL) end
  local day = key('stats', 'day', string.format('%d', math.floor(NOW / 86400)))
  if redis.call('HINCRBY', day, field, n) == n then redis.call('EXPIRE', day, DAY_STATS_TTL) end
  redis.call('HINCRBY', key('stats', 'total'), field, n)
  if present(worker) then redis.call('HINCRBY', key('worker', worker, 'stats'), field, n) end
end

-- The index moves and counters of a call that starts or ends many jobs, collected and sent once
-- per key by `send_writes` at the end of the call.
local function writes()
  return {zadd = batch('ZADD'), zrem = batch('ZREM'), counts = {}, tasks = {}}
end

-- Moves a job's id from the index of `old` (if any) to the index of `new`, scored by sent time.
local function index_state(w, id, old, new, sent)
  if present(old) and old ~= new then batch_add(w.zrem, key('jobs', 'state', old), id) end
  batch_add(w.zadd, key('jobs', 'state', new), score(sent), id)
end

local function send_writes(w)
  send_batch(w.zrem)
  send_batch(w.zadd)
  for _, counted in pairs(w.counts) do count(counted.field, counted.worker, counted.n) end
  for worker, tasks in pairs(w.tasks) do
    for task, n in pairs(tasks) do redis.call('HINCRBY', key('worker', worker, 'tasks'), task, n) end
  end
end

-- Records a new state in the hash and moves the id between state indexes.
local function move_state(id, old, new, sent)
  local w = writes()
  index_state(w, id, old, new, sent)
  send_writes(w)
  redis.call('HSET', key('job', id), 'state', new)
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

-- The exception of a revoked job whose run ended without an outcome: `requested` is the record's
-- revoke_requested ('terminate' or 'revoke'), `was_running` whether it had begun, `how` why it ended.
local function revoked_text(requested, was_running, how)
  if not was_running then return 'Revoked: revoked before it ran' end
  if requested == 'terminate' then return 'Terminated: revoked while running' end
  return 'Revoked: revoked while running, and its run ended without an outcome (' .. string.sub(how or '', 1, 200) .. ')'
end

-- What each end of a run is called in the event stream, the job's time fields and the counters.
local EVENT_FOR = {SUCCESS = 'task-succeeded', FAILURE = 'task-failed', RETRY = 'task-retried', REVOKED = 'task-revoked'}
local TIME_FIELD = {SUCCESS = 'succeeded', FAILURE = 'failed', RETRY = 'retried', REVOKED = 'revoked'}
local COUNTER = TIME_FIELD
-- The record fields ending a run reads (`job` when the caller has read them already).
local CONCLUDE_FIELDS = {'task', 'state', 'sent', 'group', 'retries'}

-- Ends a run of a job: SUCCESS, FAILURE, REVOKED (final) or RETRY (scheduled at retry_at).
-- `extra` maps hash fields to store (runtime, result, exception, traceback). The caller has
-- already removed the id from any queue or in-flight list. Index moves and counters go to `w`
-- (sent by the caller) when given, else at once. Returns 1, or 0 for a job with no record.
local function conclude(id, outcome, worker, extra, retry_at, w, job)
  local hash = key('job', id)
  job = job or read(hash, CONCLUDE_FIELDS)
  if not job.task then return 0 end
  local own = w == nil
  w = w or writes()
  local update = {'HSET', hash, 'state', outcome, TIME_FIELD[outcome], NOW_TEXT}
  for field, value in pairs(extra) do
    update[#update + 1] = field
    update[#update + 1] = value
  end
  index_state(w, id, job.state, outcome, job.sent)
  if outcome == 'RETRY' then
    update[#update + 1] = 'retries'
    update[#update + 1] = number(job.retries, 0) + 1
    batch_add(w.zadd, key('scheduled'), retry_at, id)
  end
  redis.call(unpack(update))
  local counter = COUNTER[outcome] .. ' ' .. worker
  local counted = w.counts[counter] or {field = COUNTER[outcome], worker = worker, n = 0}
  counted.n = counted.n + 1
  w.counts[counter] = counted
  if present(worker) then
    local tasks = w.tasks[worker] or {}
    tasks[job.task] = (tasks[job.task] or 0) + 1
    w.tasks[worker] = tasks
  end
  if present(worker) and present(extra.runtime) and (outcome == 'SUCCESS' or present(extra.exception)) then
    if outcome == 'SUCCESS' then
      event_of(EVENT_FOR[outcome], 'id', id, 'task', job.task, 'worker', worker, 'runtime', extra.runtime)
    else
      event_of(EVENT_FOR[outcome], 'id', id, 'task', job.task, 'worker', worker, 'runtime', extra.runtime,
        'exception', extra.exception)
    end
  else
    event(EVENT_FOR[outcome], {'id', id, 'task', job.task, 'worker', worker, 'runtime', extra.runtime,
      'exception', extra.exception})
  end
  local notice = {}
  if outcome == 'SUCCESS' then
    if extra.result and #extra.result <= NOTICE_RESULT_MAX then notice.result = extra.result end
  else
    notice.exception = extra.exception
  end
  notify(id, job.task, outcome, job.group, notice)
  if own then send_writes(w) end
  return 1
end

-- The record fields a take needs that must hold numbers (checked in this order).
local TAKE_NUMBERS = {'soft_time_limit', 'time_limit', 'retries', 'max_retries', 'expires', 'sent', 'deliveries',
  'eta', 'redeliveries'}
-- States in which an id on a queue is runnable: PENDING (enqueued, re-queued) and RETRY (promoted
-- after a failure). RECEIVED, STARTED and PROGRESS mean another child holds it (an id pushed twice);
-- final states mean it ran.
local TAKEN_OR_DONE = {RECEIVED = true, STARTED = true, PROGRESS = true, SUCCESS = true, FAILURE = true, REVOKED = true}
-- Ids looked at per queue in one take, at most (dropped ones included).
local TAKE_LOOK_MAX = 100

-- Looks at a queued id just moved to the worker's in-flight list: ids with no job record go to the
-- dead-letter list; jobs already taken, revoked, finished or expired are dropped; a record with a
-- bad value ends FAILURE naming the field. Returns the record when the job can start, else nil
-- (and the id has left the in-flight list); then, the record as read either way.
local function runnable(id, queue, inflight, w)
  -- The whole record in one pass: an HMGET looks for each absent field through the whole hash.
  local fields, job = redis.call('HGETALL', key('job', id)), {}
  for i = 1, #fields, 2 do job[fields[i]] = fields[i + 1] end
  local corrupt = job.task and corrupt_field(job, TAKE_NUMBERS)
  if job.task and not TAKEN_OR_DONE[job.state] and (job.state == 'PENDING' or job.state == 'RETRY')
    and not corrupt and not (present(job.expires) and tonumber(job.expires) < NOW) then
    return job, job
  end
  redis.call('LREM', inflight, 1, id)
  if not job.task then
    redis.call('LPUSH', key('dead'), cjson.encode({value = id, queue = queue, at = NOW,
      error = 'no job record for this id: not a Petal job id'}))
    redis.call('LTRIM', key('dead'), 0, DEAD_MAX - 1)
    event('job-dead-lettered', {'value', string.sub(id, 1, 200), 'queue', queue})
  elseif TAKEN_OR_DONE[job.state] then
    return nil
  elseif job.state ~= 'PENDING' and job.state ~= 'RETRY' then
    conclude(id, 'FAILURE', '', {exception = "CorruptJobRecord: field 'state' is '" ..
      string.sub(job.state or '', 1, 100) .. "', not a state a queued job can have", traceback = ''}, nil, w)
  elseif corrupt then
    conclude(id, 'FAILURE', '', {exception = corrupt, traceback = ''}, nil, w)
  else
    conclude(id, 'REVOKED', '', {exception = 'Expired: the job expired before a worker took it'}, nil, w)
  end
  return nil, job
end

-- Rate limits (docs/PROTOCOL.md, "Rate limits"). A task's fleet-wide limit (P:ratelimits) spaces
-- its starts: one may start when the last one (P:ratelimits:last) is an interval old and no job of
-- the task waits before it. A job that may not start now waits out of its queue and off every
-- child, in P:ratewait:queue:<queue> and P:ratewait:task:<task>, scored by its slot (an interval
-- after the one before it, so the slots keep the order jobs left their queue); its record's
-- rate_slot says when. A due job starts when the spacing allows, so jobs whose slots passed while
-- every child was busy start an interval apart, never in a burst. A worker's own limit
-- (P:worker:<w>:ratelimits, its last start in P:worker:<w>:ratelimits:last) reserves nothing: a
-- job over it is set aside due at once, for any other worker to take, and this worker takes such
-- jobs again when its own spacing allows.
local RATE_UNIT = {s = 1, m = 60, h = 3600}

-- Seconds between two runs under a rate ('10/s', '0.5/m', '1000/h': a count from 0.001 to
-- 1000000 with at most three decimals), or nil when it is no such text (a rate is checked where it
-- is written; a bad one found here limits nothing).
local function rate_interval(rate)
  local whole, unit = string.match(rate or '', '^(%d+)/([smh])$')
  local fraction = ''
  if not whole then whole, fraction, unit = string.match(rate or '', '^(%d+)%.(%d+)/([smh])$') end
  if not whole or #whole > 7 or #fraction > 3 then return nil end
  local n = tonumber(whole .. (fraction ~= '' and '.' .. fraction or ''))
  if not n or n < 0.001 or n > 1000000 then return nil end
  return RATE_UNIT[unit] / n
end

-- A hash of rates (task -> rate) as task -> interval.
local function rate_intervals(hash)
  local fields, intervals = redis.call('HGETALL', hash), {}
  for i = 1, #fields, 2 do intervals[fields[i]] = rate_interval(fields[i + 1]) end
  return intervals
end

local function slot_text(slot) return string.format('%.6f', slot) end

-- Sets a job taken into in-flight aside until `slot`: out of the in-flight list, into the wait sets.
-- A job that expires before its slot is scored just after its expiry instead, so the take that
-- finds it due then ends it (REVOKED, Expired) on time; its record keeps the slot.
local function hold(t, id, job, queue, slot)
  local text, due = slot_text(slot), slot
  local expires = tonumber(job.expires or '')
  if expires and expires + 0.001 < slot then due = expires + 0.001 end
  redis.call('LREM', t.inflight, 1, id)
  redis.call('ZADD', key('ratewait', 'queue', queue), slot_text(due), id)
  redis.call('ZADD', key('ratewait', 'task', job.task), slot_text(due), id)
  redis.call('HSET', key('job', id), 'rate_slot', text)
end

-- When the budget whose last start is in hash `lasts` next allows a start of `task` (now or earlier
-- when it never started one).
local function free_at(lasts, task, interval)
  local last = tonumber(redis.call('HGET', lasts, task) or '')
  return last and last + interval or NOW
end

-- Whether a job may start now under its task's limits: the fleet's, then this worker's own. `slot`:
-- the job comes from a wait set, its slot reached. A job that may not start is held, and its slot
-- returned: a slot to come for a fresh job over the fleet's limit (after the task's last waiting
-- one), else the one it had, or now for a fresh job over this worker's limit (in order, after the
-- jobs set aside before it). A start is recorded only once every limit allows it. The rates are
-- read once per take.
local function admit(t, id, job, queue, slot)
  if not t.rates then
    t.rates = {fleet = rate_intervals(key('ratelimits')), worker = rate_intervals(key('worker', t.worker, 'ratelimits'))}
  end
  local fleet, own = t.rates.fleet[job.task], t.rates.worker[job.task]
  if fleet then
    local free = free_at(key('ratelimits', 'last'), job.task, fleet)
    if slot and free > NOW then
      t.wake = math.min(t.wake or free, free)
      hold(t, id, job, queue, slot)
      return false, slot
    elseif not slot then
      local tail = tonumber(redis.call('ZRANGE', key('ratewait', 'task', job.task), -1, -1, 'WITHSCORES')[2] or '')
      if tail or free > NOW then
        local at = math.max(NOW, free, tail and tail + fleet or NOW)
        hold(t, id, job, queue, at)
        return false, at
      end
    end
  end
  if own then
    local free = free_at(key('worker', t.worker, 'ratelimits', 'last'), job.task, own)
    if free > NOW then
      t.wake = math.min(t.wake or free, free)
      t.aside = t.aside + 1
      slot = slot or NOW + t.aside / 1e6
      hold(t, id, job, queue, slot)
      return false, slot
    end
    redis.call('HSET', key('worker', t.worker, 'ratelimits', 'last'), job.task, NOW_TEXT)
  end
  if fleet then redis.call('HSET', key('ratelimits', 'last'), job.task, NOW_TEXT) end
  return true
end

-- Hands a runnable job to the taking child: STARTED, indexed under the worker, evented, and its
-- 12 reply values appended to `t.jobs`.
local function start_job(t, id, job, queue)
  local deliveries = number(job.deliveries, 0) + 1
  -- Received and started in one step: `started` only (a reader takes it for `received`), and one
  -- event, task-started (RECEIVED is a state Petal never writes).
  redis.call('HSET', key('job', id), 'state', 'STARTED', 'worker', t.worker, 'pid', t.pid, 'started', NOW_TEXT,
    'deliveries', deliveries)
  index_state(t.w, id, job.state, 'STARTED', job.sent)
  batch_add(t.w.zadd, key('jobs', 'worker', t.worker), score(job.sent), id)
  -- A redelivered job is listed under the worker that took it last, and only there.
  if present(job.worker) and job.worker ~= t.worker then batch_add(t.w.zrem, key('jobs', 'worker', job.worker), id) end
  event_of('task-started', 'id', id, 'task', job.task, 'worker', t.worker, 'pid', t.pid)
  notify(id, job.task, 'STARTED', job.group)
  if not t.limits then t.limits = redis.call('HGETALL', key('worker', t.worker, 'limits')) end
  local override = ''
  for i = 1, #t.limits, 2 do if t.limits[i] == job.task then override = t.limits[i + 1] end end
  local taken, n = t.jobs, #t.jobs
  taken[n + 1], taken[n + 2], taken[n + 3], taken[n + 4] = id, job.task, job.args or '[]', job.kwargs or '{}'
  taken[n + 5], taken[n + 6] = job.soft_time_limit or '', job.time_limit or ''
  taken[n + 7], taken[n + 8], taken[n + 9] = job.retries or '0', job.max_retries or '0', queue
  taken[n + 10], taken[n + 11], taken[n + 12] = job.group or '', tostring(deliveries), override
  t.count = t.count + 1
end

-- Takes the due rate-limited jobs of `queue` (slot reached), earliest slot first: they come before
-- the queue's own jobs, which were all enqueued after them or went back behind them. Jobs a limit
-- holds back now (the spacing) stay where they were, and the ones after them are looked at.
local function take_due(t, queue, wanted)
  local waiting = key('ratewait', 'queue', queue)
  local passed = 0
  while t.count < wanted and passed < TAKE_LOOK_MAX do
    local ids = redis.call('ZRANGE', waiting, '-inf', NOW_TEXT, 'BYSCORE', 'LIMIT', passed, wanted - t.count)
    if #ids == 0 then return end
    redis.call('ZREM', waiting, unpack(ids))
    redis.call('LPUSH', t.inflight, unpack(ids))
    for _, id in ipairs(ids) do
      local job, record = runnable(id, queue, t.inflight, t.w)
      if record.task then redis.call('ZREM', key('ratewait', 'task', record.task), id) end
      if job then
        local slot = tonumber(record.rate_slot or '') or NOW
        local admitted, held = admit(t, id, job, queue, slot)
        if admitted then
          redis.call('HDEL', key('job', id), 'rate_slot')
          start_job(t, id, job, queue)
        elseif held <= NOW then
          passed = passed + 1
        end
      elseif record.rate_slot then
        redis.call('HDEL', key('job', id), 'rate_slot')
      end
    end
  end
end

-- When this child should look again, having taken fewer jobs than it wanted: the earliest slot to
-- come among the rate-limited jobs of `queues`, or when a limit that held a due job back allows a
-- start (nil: no such time, the bell will do).
local function next_look(t, queues)
  local first = t.wake
  for _, queue in ipairs(queues) do
    local waiting = key('ratewait', 'queue', queue)
    local head = redis.call('ZRANGE', waiting, '(' .. NOW_TEXT, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
    local slot = tonumber(head[2] or '')
    if slot and (not first or slot < first) then first = slot end
  end
  return first
end

-- Takes up to `wanted` runnable jobs for a worker's child from `queues`, in priority order: moves
-- them to the worker's in-flight list and marks them STARTED in the same step (a child that takes
-- several runs them one after the other). A job its task's rate limit cannot start now is held
-- (see above), and the next job is looked at. A worker whose heartbeat key is gone takes nothing:
-- other workers may be recovering its jobs as lost. Index moves go to `w` (sent by the caller).
-- Returns the jobs as fetch's reply lists them (docs/PROTOCOL.md), one after the other; when it
-- took fewer than `wanted` and a rate-limited job of these queues comes due later, the time to look
-- again (`next_look`), so the child waits no longer than that.
local function take(worker, pid, queues, wanted, w)
  local t = {worker = worker, pid = pid, inflight = key('inflight', worker), w = w, jobs = {}, count = 0, aside = 0}
  if wanted < 1 or redis.call('EXISTS', key('worker', worker)) == 0 then return t.jobs end
  for _, queue in ipairs(queues) do
    if t.count >= wanted then break end
    if redis.call('SISMEMBER', key('paused'), queue) == 0 then
      take_due(t, queue, wanted)
      local looked = 0
      while t.count < wanted and looked < TAKE_LOOK_MAX do
        local popped = redis.call('LMPOP', 1, key('queue', queue), 'RIGHT', 'COUNT', wanted - t.count)
        if not popped then break end
        local ids = popped[2]
        looked = looked + #ids
        -- In flight at once, before anything else is read: whatever follows, nothing is lost.
        redis.call('LPUSH', t.inflight, unpack(ids))
        for _, id in ipairs(ids) do
          local job = runnable(id, queue, t.inflight, w)
          if job and admit(t, id, job, queue) then start_job(t, id, job, queue) end
        end
      end
    end
  end
  if t.count < wanted then
    local slot = next_look(t, queues)
    if slot then t.jobs[#t.jobs + 1] = slot_text(slot) end
  end
  return t.jobs
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
    NOW, EVENTS = number(NOW_TEXT), P and P .. ':events'
    if not P or not NOW then
      return redis.error_reply('ERR petal_' .. name .. ': the first arguments must be the key prefix and the time now')
    end
    return body(args)
  end})
end
