-- Replays the requests of a file, one per line: METHOD<TAB>PATH[<TAB>JSON BODY].
-- Usage: wrk ... -s requests.lua URL -- FILE MODE [OFFSET THREADS WINDOW]
--   MODE "random": each request picks a line at random (reads);
--   MODE "sequential": the threads share out the lines in order from line
--   OFFSET (0-based), each used once (writes such as close, which must hit a
--   different ticket each time); past the last line they start again and
--   count it in "wrapped". THREADS is wrk's -t: a thread's own Lua state
--   cannot count the threads that setup() saw.
-- Each "{unique}" in a body is replaced by a value no other request has sent:
-- WINDOW (distinct for each wrk run), the thread and its request count, so
-- a replayed PATCH changes its ticket every time instead of repeating it.
-- done() prints one JSON line with the figures (latencies in microseconds);
-- "next" is the first line no thread handed out, the OFFSET of a next run.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local UNIQUE = "{unique}"
local lines = {}
local mode = "random"
local step = 1
local window = "0"
local sent = 0
position = 0
wrapped = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if body == "" then body = nil end
    local unique = body ~= nil and body:find(UNIQUE, 1, true) ~= nil
    table.insert(lines, {method = method, path = path, body = body, unique = unique})
  end
  file:close()
  mode = args[2] or "random"
  step = tonumber(args[4] or "1")
  position = tonumber(args[3] or "0") + index
  window = args[5] or "0"
  math.randomseed(os.time() + index * 7919)
end

function request()
  local entry
  if mode == "sequential" then
    if position >= #lines then
      wrapped = wrapped + 1
    end
    entry = lines[(position % #lines) + 1]
    position = position + step
  else
    entry = lines[math.random(#lines)]
  end
  local body = entry.body
  if entry.unique then
    sent = sent + 1
    body = body:gsub(UNIQUE, window .. "." .. index .. "." .. sent)
  end
  return wrk.format(entry.method, entry.path, nil, body)
end

function done(summary, latency, requests)
  local wrapped_total = 0
  local next_line = 0
  for _, thread in ipairs(threads) do
    wrapped_total = wrapped_total + (thread:get("wrapped") or 0)
    next_line = math.max(next_line, thread:get("position") - #threads + 1)
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f, "wrapped": %d, "next": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.status,
    errors.connect + errors.read + errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, wrapped_total, next_line))
end
