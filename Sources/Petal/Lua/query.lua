-- petal_query: a page of the job history (read only). args[3] 'desc'|'asc' by sent time, [4] min
-- and [5] max sent time ('-inf', '+inf'), [6] offset, [7] limit, [8] scan budget, [9] '1' when
-- exact (no field needs checking: the indexes are the answer), [10..13] wanted state, task, worker,
-- queue ('' = any), [14] n search terms, then n pairs (field any/args/kwargs/result, lower-case
-- text), then the mode, then the index keys ("segments") to walk in order. Modes: 'all' and
-- 'ordered' walk every segment in turn, 'smallest' only the smallest, 'field:<name>' the smallest
-- newest first, sorting the matches by that record field.
-- Returns {total or -1, more, cut, id...}: more = another match follows the page, cut = the budget
-- ran out before the page was full (the answer holds the newest matches found).

local BATCH = 200
-- Record fields a filter compares, in the order of args[10..13]; the fields a search reads.
local FILTERED = {'state', 'task', 'worker', 'queue'}
local SEARCHED = {'args', 'kwargs', 'result', 'exception'}

local function contains(haystack, needle)
  return haystack and string.find(string.lower(haystack), needle, 1, true)
end

-- Whether a record's text fields hold a search term (field any/args/kwargs/result).
local function found(record, field, needle)
  if field == 'args' then return contains(record.args, needle) end
  if field == 'kwargs' then return contains(record.kwargs, needle) end
  local in_result = contains(record.result, needle) or contains(record.exception, needle)
  if field == 'result' then return in_result end
  return in_result or contains(record.args, needle) or contains(record.kwargs, needle)
end

register('query', function(args)
  local desc = args[3] == 'desc'
  local min, max = args[4], args[5]
  local offset, limit, budget = tonumber(args[6]), tonumber(args[7]), tonumber(args[8])
  local exact = args[9] == '1'
  local nterms = tonumber(args[14])
  local terms = {}
  for i = 1, nterms do terms[i] = {field = args[13 + 2 * i], text = args[14 + 2 * i]} end
  local mode = args[15 + 2 * nterms]
  local segments = rest(args, 16 + 2 * nterms)
  local sort_field
  if string.sub(mode, 1, 6) == 'field:' then sort_field, mode = string.sub(mode, 7), 'smallest' end
  -- A sort by a field walks newest first, so a spent budget keeps the newest; the matches are sorted here.
  local walk_desc = desc or sort_field ~= nil
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
      if walk_desc and max ~= '+inf' then before = redis.call('ZCOUNT', index, '(' .. max, '+inf') end
      if not walk_desc and min ~= '-inf' then before = redis.call('ZCOUNT', index, '-inf', '(' .. min) end
      w = {before = before, size = redis.call('ZCOUNT', index, min, max)}
      windows[index] = w
    end
    return w.before, w.size
  end
  local function range(index, start, wanted)
    local before, size = window(index)
    if start >= size then return {} end
    local first, last = before + start, before + math.min(start + wanted, size) - 1
    if walk_desc then return redis.call('ZREVRANGE', index, first, last) end
    return redis.call('ZRANGE', index, first, last)
  end

  local page = {}
  local function answer(total, more, cut)
    local result = {total, more, cut}
    for _, id in ipairs(page) do result[#result + 1] = id end
    return result
  end

  if exact then
    -- Every id in the segments matches: skip whole segments by count, then read one range.
    local total, skip = 0, offset
    for _, index in ipairs(segments) do
      local _, n = window(index)
      total = total + n
      if #page < limit then
        if skip >= n then
          skip = skip - n
        else
          for _, id in ipairs(range(index, skip, limit - #page)) do page[#page + 1] = id end
          skip = 0
        end
      end
    end
    return answer(total, (offset + #page < total) and 1 or 0, 0)
  end

  -- Only the fields a filter or a search needs: 'state' first (every job has one, so a job that
  -- is gone reads nil), then the filtered ones, then the text fields when searching.
  local fields, wanted = {'state'}, {}
  for i, name in ipairs(FILTERED) do
    local value = args[9 + i]
    if value ~= '' then
      if i > 1 then fields[#fields + 1] = name end
      wanted[name] = value
    end
  end
  if nterms > 0 then for _, name in ipairs(SEARCHED) do fields[#fields + 1] = name end end
  if sort_field then fields[#fields + 1] = sort_field end
  -- The record when it matches every filter and term, else nil.
  local function match(id)
    local record = read(key('job', id), fields)
    if not record.state then return nil end
    for name, value in pairs(wanted) do
      if record[name] ~= value then return nil end
    end
    for _, term in ipairs(terms) do
      if not found(record, term.field, term.text) then return nil end
    end
    return record
  end

  -- Visits the ids of `index` in walk order, BATCH at a time, until `visit` returns true or the
  -- budget is spent; says whether to stop walking (then `cut` tells the budget ran out).
  local examined, cut = 0, 0
  local function walk(index, visit)
    local start = 0
    while true do
      local ids = range(index, start, BATCH)
      if #ids == 0 then return false end
      for _, id in ipairs(ids) do
        examined = examined + 1
        if examined > budget then cut = 1; return true end
        if visit(id) then return true end
      end
      start = start + BATCH
    end
  end

  if sort_field then
    local numeric = sort_field == 'runtime'
    local rows = {}
    walk(segments[1], function(id)
      local record = match(id)
      if record then
        local value = record[sort_field]
        if value == false or value == '' then value = nil elseif numeric then value = tonumber(value) end
        rows[#rows + 1] = {id = id, value = value, order = #rows}
      end
    end)
    -- Jobs without the field last either way; ties keep time order (newest first).
    table.sort(rows, function(a, b)
      if a.value == b.value then return a.order < b.order end
      if a.value == nil then return false end
      if b.value == nil then return true end
      if desc then return a.value > b.value end
      return a.value < b.value
    end)
    for i = offset + 1, math.min(offset + limit, #rows) do page[#page + 1] = rows[i].id end
    return answer(cut == 1 and -1 or #rows, (offset + limit < #rows) and 1 or 0, cut)
  end

  local skipped, more = 0, 0
  for _, index in ipairs(segments) do
    local stop = walk(index, function(id)
      if not match(id) then return false end
      if #page >= limit then more = 1; return true end
      if skipped < offset then skipped = skipped + 1 else page[#page + 1] = id end
      return false
    end)
    if stop then break end
  end
  return answer(-1, more, cut)
end, {'no-writes'})
