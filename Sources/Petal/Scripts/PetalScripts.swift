import PetalRedis

/// Every Lua script of the protocol. Each one is one round trip and one atomic step; their
/// arguments are listed in docs/PROTOCOL.md. All start with ARGV[1] = prefix, ARGV[2] = now.
public enum PetalScripts {
    /// Creates jobs and makes them ready (or schedules them). ARGV[3] = count, ARGV[4] = the
    /// producer's name (for `task-sent`), then per job the 13 fields listed in docs/PROTOCOL.md. A job id that already has a record is left as it is
    /// (the id is an idempotency key: a retried enqueue creates nothing twice). Returns one entry
    /// per job: 1 when created, 0 when the id existed.
    public static let enqueue = script("enqueue", #"""
local n = tonumber(ARGV[3])
local producer = ARGV[4]
local width = 13
if not n or #ARGV < 4 + n * width then return redis.error_reply('ERR enqueue: expected ' .. tostring(ARGV[3]) .. ' jobs of 13 fields') end
-- Every number is checked before anything is written: a script that fails half-way keeps its writes.
local NUMERIC = {{7, 'max_retries'}, {8, 'soft_time_limit'}, {9, 'time_limit'}, {10, 'eta'}, {11, 'expires'}, {12, 'sent'}}
for j = 0, n - 1 do
  local b = 5 + j * width
  if not number(ARGV[b + 12]) then return redis.error_reply("ERR enqueue: field 'sent' of job " .. ARGV[b] .. ' is not a number') end
  for _, field in ipairs(NUMERIC) do
    local value = ARGV[b + field[1]]
    if present(value) and not number(value) then
      return redis.error_reply("ERR enqueue: field '" .. field[2] .. "' of job " .. ARGV[b] .. " is '" .. string.sub(value, 1, 100) .. "', not a number")
    end
  end
end
local ready = {}
local named = {}
local created = {}
for j = 0, n - 1 do
  local b = 5 + j * width
  local id, task, queue, args, kwargs = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local group, parent, max_retries, soft, hard = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8], ARGV[b + 9]
  local eta, expires, sent = ARGV[b + 10], ARGV[b + 11], ARGV[b + 12]
  local job = key('job', id)
  created[j + 1] = 0
  if redis.call('EXISTS', job) == 0 then
  created[j + 1] = 1
  local record = {'HSET', job, 'id', id, 'task', task, 'queue', queue, 'args', args, 'kwargs', kwargs,
    'state', 'PENDING', 'sent', sent, 'retries', '0', 'max_retries', max_retries}
  -- Optional fields only when set (no table per job: enqueue is the hottest script).
  local size = #record
  if group ~= '' then record[size + 1] = 'group'; record[size + 2] = group; size = size + 2 end
  if parent ~= '' then record[size + 1] = 'parent'; record[size + 2] = parent; size = size + 2 end
  if soft ~= '' then record[size + 1] = 'soft_time_limit'; record[size + 2] = soft; size = size + 2 end
  if hard ~= '' then record[size + 1] = 'time_limit'; record[size + 2] = hard; size = size + 2 end
  if eta ~= '' then record[size + 1] = 'eta'; record[size + 2] = eta; size = size + 2 end
  if expires ~= '' then record[size + 1] = 'expires'; record[size + 2] = expires; size = size + 2 end
  redis.call(unpack(record))
  redis.call('ZADD', key('jobs'), sent, id)
  redis.call('ZADD', key('jobs', 'state', 'PENDING'), sent, id)
  redis.call('ZADD', key('jobs', 'task', task), sent, id)
  redis.call('ZADD', key('jobs', 'queue', queue), sent, id)
  if not named[queue] then redis.call('SADD', key('queues'), queue); named[queue] = true end
  if not named['\0' .. task] then redis.call('SADD', key('tasks'), task); named['\0' .. task] = true end
  if present(group) then redis.call('ZADD', key('group', group), sent, id) end
  if present(parent) then redis.call('SADD', key('job', parent, 'children'), id) end
  if present(eta) and tonumber(eta) > NOW then
    redis.call('ZADD', key('scheduled'), eta, id)
  else
    redis.call('LPUSH', key('queue', queue), id)
    ready[queue] = (ready[queue] or 0) + 1
  end
  event('task-sent', {'id', id, 'task', task, 'queue', queue, 'group', group, 'eta', eta, 'worker', producer})
  if present(group) then notify({id = id, task = task, state = 'PENDING', group = group}) end
  end
end
-- One wake-up token per ready job (at most 100) on each queue's bell, rung once per call.
for queue, count in pairs(ready) do
  local tokens = {'LPUSH', key('bell', queue)}
  for _ = 1, math.min(count, 100) do tokens[#tokens + 1] = '1' end
  redis.call(unpack(tokens))
  redis.call('LTRIM', key('bell', queue), 0, 99)
end
return created
"""#)

    /// A child takes its next job. ARGV[3] = worker, ARGV[4] = pid, ARGV[5..] = queues in priority
    /// order. Returns the job's fields (see `FetchedJob`) or an empty array.
    public static let fetch = script("fetch", #"""
return fetch(ARGV[3], ARGV[4], 5)
"""#)

    /// A child reports how a job ended, and (when ARGV[11] = '1') takes its next job in the same trip.
    /// ARGV[3] worker, [4] pid, [5] id, [6] outcome, [7] result JSON, [8] exception, [9] traceback,
    /// [10] runtime, [11] fetch next?, [12] retry at, [13] delivery number the child got from fetch,
    /// [14..] queues. Returns {acknowledged, next job...}: acknowledged is 1, 0 when there was
    /// nothing to acknowledge (a repeated call), or -1 when the job was handed out again since
    /// (reaped and delivered to another worker or child): that run's result is discarded.
    public static let finish = script("finish", #"""
local worker, id, outcome, delivery = ARGV[3], ARGV[5], ARGV[6], ARGV[13]
local acknowledged = 0
local holder = redis.call('HMGET', key('job', id), 'worker', 'deliveries')
if holder[1] and (holder[1] ~= worker or holder[2] ~= delivery) then
  -- Fenced: the in-flight entry (if any) and the record belong to the newer delivery.
  acknowledged = -1
elseif redis.call('LREM', key('inflight', worker), 1, id) == 1 then
  local extra = {runtime = ARGV[10]}
  if outcome == 'SUCCESS' then
    extra.result = ARGV[7]
  else
    extra.exception = ARGV[8]
    extra.traceback = ARGV[9]
  end
  acknowledged = conclude(id, outcome, worker, extra, ARGV[12])
end
local next_job = {}
if ARGV[11] == '1' then next_job = fetch(worker, ARGV[4], 14) end
table.insert(next_job, 1, acknowledged)
return next_job
"""#)

    /// Progress from inside a task: ARGV[3] id, [4] current, [5] total, [6] message.
    public static let progress = script("progress", #"""
local id = ARGV[3]
local job = key('job', id)
local f = redis.call('HMGET', job, 'state', 'sent', 'task', 'worker', 'group')
if f[1] ~= 'STARTED' and f[1] ~= 'PROGRESS' then return 0 end
redis.call('HSET', job, 'progress_current', ARGV[4], 'progress_total', ARGV[5], 'progress_message', ARGV[6])
if f[1] == 'STARTED' then
  move_state(id, f[1], 'PROGRESS', f[2])
  event('task-progress', {'id', id, 'task', f[3], 'worker', f[4]})
end
local summary = {id = id, task = f[3], state = 'PROGRESS', group = f[5] or '',
  current = tonumber(ARGV[4]), total = tonumber(ARGV[5])}
if present(ARGV[6]) then summary.message = ARGV[6] end
notify(summary)
return 1
"""#)

    /// Revokes a job: ARGV[3] id, ARGV[4] '1' to terminate a running job. Returns
    /// {status, worker, pid} where status is unknown, finished, revoked (it never runs) or running.
    public static let revoke = script("revoke", #"""
local id = ARGV[3]
local job = key('job', id)
local f = redis.call('HMGET', job, 'state', 'queue', 'worker', 'pid')
if not f[1] then return {'unknown', '', ''} end
redis.call('ZADD', key('revoked'), NOW, id)
redis.call('ZREMRANGEBYRANK', key('revoked'), 0, -REVOKED_MAX - 1)
if f[1] == 'SUCCESS' or f[1] == 'FAILURE' or f[1] == 'REVOKED' then return {'finished', f[3] or '', f[4] or ''} end
if f[1] == 'STARTED' or f[1] == 'PROGRESS' then
  redis.call('HSET', job, 'revoke_requested', ARGV[4] == '1' and 'terminate' or 'revoke')
  return {'running', f[3] or '', f[4] or ''}
end
redis.call('LREM', key('queue', f[2]), 0, id)
redis.call('ZREM', key('scheduled'), id)
conclude(id, 'REVOKED', '', {})
return {'revoked', '', ''}
"""#)

    /// A child process ended while it held jobs: ARGV[3] worker, [4] pid, [5] reason, [6] mode
    /// ('fail' or 'requeue'). Each job of that child still in flight ends FAILURE with the reason,
    /// REVOKED when a terminate was asked for, or goes back to its queue. Returns the ids.
    public static let childLost = script("child_lost", #"""
local worker, pid, reason, mode = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local inflight = key('inflight', worker)
local handled = {}
for _, id in ipairs(redis.call('LRANGE', inflight, 0, -1)) do
  local f = redis.call('HMGET', key('job', id), 'pid', 'revoke_requested')
  if f[1] == pid then
    redis.call('LREM', inflight, 1, id)
    if present(f[2]) then
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
"""#)

    /// Recovers the in-flight jobs of a worker whose heartbeat expired: ARGV[3] worker,
    /// [4] max redeliveries, [5] '1' when the worker itself calls (at start or when going offline).
    /// Does nothing while the worker's heartbeat key exists, nor while the worker's supervisor still
    /// listens on its control channel: a worker that could not write (Redis out of memory) is alive,
    /// and taking its jobs would run them twice. PUBLISH answers how many received the probe and is
    /// allowed when Redis is out of memory. Returns {requeued, failed}, or {0, 0, 'alive'} when
    /// the probe was heard.
    public static let reap = script("reap", #"""
local worker, max_redeliveries, own = ARGV[3], number(ARGV[4], 0), ARGV[5] == '1'
if redis.call('EXISTS', key('worker', worker)) == 1 then return {0, 0} end
if not own and redis.call('PUBLISH', key('control', worker), '{"probe":"reap"}') > 0 then return {0, 0, 'alive'} end
local inflight = key('inflight', worker)
local requeued, failed = 0, 0
for _, id in ipairs(redis.call('LRANGE', inflight, 0, -1)) do
  redis.call('LREM', inflight, 1, id)
  local job = key('job', id)
  local f = redis.call('HMGET', job, 'redeliveries', 'revoke_requested', 'task')
  local redelivered = number(f[1], 0)
  if f[3] then
    if present(f[2]) then
      conclude(id, 'REVOKED', worker, {exception = 'Terminated: revoked while running'})
    elseif redelivered >= max_redeliveries then
      conclude(id, 'FAILURE', worker, {exception = 'WorkerLostError: worker ' .. worker ..
        ' died while running this job, and it was redelivered ' .. redelivered .. ' times already', traceback = ''})
      failed = failed + 1
    else
      redis.call('HSET', job, 'redeliveries', redelivered + 1)
      requeue(id)
      requeued = requeued + 1
    end
  end
end
if redis.call('HSETNX', key('worker', worker, 'stats'), 'offline_at', NOW_TEXT) == 1 then
  event('worker-offline', {'worker', worker, 'requeued', requeued, 'failed', failed})
end
return {requeued, failed}
"""#)

    /// Moves due jobs from the scheduled set to their queues: ARGV[3] limit. Returns how many.
    public static let promote = script("promote", #"""
local due = redis.call('ZRANGEBYSCORE', key('scheduled'), '-inf', NOW, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  redis.call('ZREM', key('scheduled'), id)
  local queue = redis.call('HGET', key('job', id), 'queue')
  if queue then push_ready(id, queue, false) end
end
return #due
"""#)

    /// Drops the oldest finished jobs beyond the retention: ARGV[3] max count, [4] max age in
    /// seconds, [5] most to drop in this call. Returns how many were dropped.
    public static let trim = script("trim", #"""
local max_count, max_age, limit = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local done = key('jobs', 'done')
local excess = redis.call('ZCARD', done) - max_count
local victims = {}
if excess > 0 then victims = redis.call('ZRANGE', done, 0, math.min(excess, limit) - 1) end
if #victims < limit then
  local old = redis.call('ZRANGEBYSCORE', done, '-inf', NOW - max_age, 'LIMIT', #victims, limit - #victims)
  for _, id in ipairs(old) do victims[#victims + 1] = id end
end
for _, id in ipairs(victims) do
  local job = key('job', id)
  local f = redis.call('HMGET', job, 'state', 'task', 'queue', 'worker', 'group', 'parent')
  redis.call('ZREM', done, id)
  redis.call('ZREM', key('jobs'), id)
  if f[1] then redis.call('ZREM', key('jobs', 'state', f[1]), id) end
  if f[2] then redis.call('ZREM', key('jobs', 'task', f[2]), id) end
  if f[3] then redis.call('ZREM', key('jobs', 'queue', f[3]), id) end
  if present(f[4]) then redis.call('ZREM', key('jobs', 'worker', f[4]), id) end
  if present(f[5]) then redis.call('ZREM', key('group', f[5]), id) end
  if present(f[6]) then redis.call('SREM', key('job', f[6], 'children'), id) end
  redis.call('DEL', job, key('job', id, 'children'))
end
return #victims
"""#)

    /// Pages through the history (read only). ARGV[3] 'desc'|'asc' by sent time, [4] min and [5] max
    /// sent time, [6] offset, [7] limit, [8] scan budget, [9] exact ('1': no field needs checking,
    /// the segments are the answer), [10..13] wanted state, task, worker, queue ('' = any), [14] n
    /// search terms, then n pairs (field, text), then the index keys ("segments") to walk in order.
    /// With several candidate indexes for one segment list, the caller passes them all and
    /// [15 + 2n] = 'smallest' makes the script walk only the smallest.
    /// Returns {total or -1, more, cut, id...}: more = another match follows the page, cut = the
    /// budget ran out before the page was full (the answer is the newest matches found).
    public static let query = script("query", flags: "no-writes", #"""
local desc = ARGV[3] == 'desc'
local min, max = ARGV[4], ARGV[5]
local offset, limit, budget = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local exact = ARGV[9] == '1'
local want = {ARGV[10], ARGV[11], ARGV[12], ARGV[13]}
local nterms = tonumber(ARGV[14])
local terms = {}
for i = 1, nterms do terms[i] = {ARGV[13 + 2 * i], ARGV[14 + 2 * i]} end
local mode = ARGV[15 + 2 * nterms]
local segments = {}
for i = 16 + 2 * nterms, #ARGV do segments[#segments + 1] = ARGV[i] end
-- 'field:<name>': sort by a field no index orders. The narrowest index is walked newest first
-- (so a spent budget keeps the newest) and the matches are sorted here.
local sortField
if string.sub(mode, 1, 6) == 'field:' then sortField, mode = string.sub(mode, 7), 'smallest' end
local walkDesc = desc or sortField ~= nil
if mode == 'smallest' and #segments > 1 then
  local best, size = segments[1], redis.call('ZCARD', segments[1])
  for i = 2, #segments do
    local n = redis.call('ZCARD', segments[i])
    if n < size then best, size = segments[i], n end
  end
  segments = {best}
end

-- Read by rank, never by LIMIT offset: ZRANGEBYSCORE's LIMIT walks every id it skips (186 ms to
-- skip 900,000), ZRANGE by rank finds its start in O(log n). An index's window in the time range
-- begins after the ids beyond the range's near end; both counts are O(log n) too.
local windows = {}
local function window(index)
  local w = windows[index]
  if not w then
    local before = 0
    if walkDesc and max ~= '+inf' then before = redis.call('ZCOUNT', index, '(' .. max, '+inf') end
    if not walkDesc and min ~= '-inf' then before = redis.call('ZCOUNT', index, '-inf', '(' .. min) end
    w = {before, redis.call('ZCOUNT', index, min, max)}
    windows[index] = w
  end
  return w[1], w[2]
end
local function range(index, start, count)
  local before, size = window(index)
  if start >= size then return {} end
  local first, last = before + start, before + math.min(start + count, size) - 1
  if walkDesc then return redis.call('ZREVRANGE', index, first, last) end
  return redis.call('ZRANGE', index, first, last)
end

local page = {}
if exact then
  -- Every id in the segments matches: skip whole segments by count, then read one range.
  local total, skip = 0, offset
  for _, index in ipairs(segments) do
    local _, n = window(index)
    total = total + n
    if #page < limit then
      if skip >= n then skip = skip - n
      else
        for _, id in ipairs(range(index, skip, limit - #page)) do page[#page + 1] = id end
        skip = 0
      end
    end
  end
  local result = {total, (offset + #page < total) and 1 or 0, 0}
  for _, id in ipairs(page) do result[#result + 1] = id end
  return result
end

-- Only the fields a filter or a search needs: 'state' first (every job has one, so a job that
-- is gone reads nil), then the filtered ones, then the text fields when searching.
local FIELDS, WANT = {'state'}, {want[1]}
local FILTERED = {'task', 'worker', 'queue'}
for i = 2, 4 do
  if want[i] ~= '' then FIELDS[#FIELDS + 1] = FILTERED[i - 1]; WANT[#WANT + 1] = want[i] end
end
local text = #FIELDS
if nterms > 0 then for _, name in ipairs({'args', 'kwargs', 'result', 'exception'}) do FIELDS[#FIELDS + 1] = name end end
if sortField then FIELDS[#FIELDS + 1] = sortField end
local function contains(haystack, needle) return haystack and string.find(string.lower(haystack), needle, 1, true) end
local function matches(id)
  local f = redis.call('HMGET', key('job', id), unpack(FIELDS))
  if not f[1] then return false end
  for i = 1, #WANT do
    if WANT[i] ~= '' and f[i] ~= WANT[i] then return false end
  end
  for _, term in ipairs(terms) do
    local field, needle = term[1], term[2]
    local args, kwargs, result, exception = f[text + 1], f[text + 2], f[text + 3], f[text + 4]
    local found
    if field == 'args' then found = contains(args, needle)
    elseif field == 'kwargs' then found = contains(kwargs, needle)
    elseif field == 'result' then found = contains(result, needle) or contains(exception, needle)
    else found = contains(args, needle) or contains(kwargs, needle) or contains(result, needle) or contains(exception, needle) end
    if not found then return false end
  end
  return f
end

local skipped, examined, more, cut = 0, 0, 0, 0
local batch = 200

if sortField then
  local numeric = sortField == 'runtime'
  local rows = {}
  local index, start = segments[1], 0
  while cut == 0 do
    local ids = range(index, start, batch)
    if #ids == 0 then break end
    for _, id in ipairs(ids) do
      examined = examined + 1
      if examined > budget then cut = 1; break end
      local f = matches(id)
      if f then
        local value = f[#FIELDS]
        if value == false or value == '' then value = nil elseif numeric then value = tonumber(value) end
        rows[#rows + 1] = {id, value, #rows}
      end
    end
    start = start + batch
  end
  -- Jobs without the field last either way; ties keep time order (newest first).
  table.sort(rows, function(a, b)
    if a[2] == b[2] then return a[3] < b[3] end
    if a[2] == nil then return false end
    if b[2] == nil then return true end
    if desc then return a[2] > b[2] end
    return a[2] < b[2]
  end)
  local result = {cut == 1 and -1 or #rows, (offset + limit < #rows) and 1 or 0, cut}
  for i = offset + 1, math.min(offset + limit, #rows) do result[#result + 1] = rows[i][1] end
  return result
end
for _, index in ipairs(segments) do
  local start = 0
  while more == 0 and cut == 0 do
    local ids = range(index, start, batch)
    if #ids == 0 then break end
    for _, id in ipairs(ids) do
      examined = examined + 1
      if examined > budget then cut = 1; break end
      if matches(id) then
        if #page >= limit then more = 1; break end
        if skipped < offset then skipped = skipped + 1 else page[#page + 1] = id end
      end
    end
    start = start + batch
  end
  if more == 1 or cut == 1 then break end
end
local result = {-1, more, cut}
for _, id in ipairs(page) do result[#result + 1] = id end
return result
"""#)

    /// Empties a queue: every job waiting on it ends REVOKED with exception "Purged". ARGV[3] the
    /// queue. Returns how many were purged.
    public static let purge = script("purge", #"""
local queue = key('queue', ARGV[3])
local ids = redis.call('LRANGE', queue, 0, -1)
redis.call('DEL', queue, key('bell', ARGV[3]))
local purged = 0
for _, id in ipairs(ids) do
  local state = redis.call('HGET', key('job', id), 'state')
  if state and state ~= 'SUCCESS' and state ~= 'FAILURE' and state ~= 'REVOKED' then
    redis.call('ZADD', key('revoked'), NOW, id)
    purged = purged + conclude(id, 'REVOKED', '', {exception = 'Purged: queue ' .. ARGV[3] .. ' was purged'})
  end
end
redis.call('ZREMRANGEBYRANK', key('revoked'), 0, -REVOKED_MAX - 1)
return purged
"""#)

    public static let all: [RedisScript] = [enqueue, fetch, finish, progress, revoke, childLost, reap, promote, trim, query, purge]

    /// Every script starts with a Redis 7 shebang. Without one, Redis checks memory per command, so
    /// while it is out of memory a script could delete (LREM, allowed) and then fail on its first
    /// write, leaving a job half-moved; a declared script is refused whole instead, before it runs.
    /// Read-only scripts say `no-writes`, which Redis lets run while memory is full.
    private static func script(_ name: String, flags: String? = nil, _ body: String) -> RedisScript {
        RedisScript(name: name, source: "#!lua" + (flags.map { " flags=" + $0 } ?? "") + "\n" + LuaPrelude.source + body)
    }
}
