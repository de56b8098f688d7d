-- Replays the requests of a file, one per line: METHOD<TAB>PATH[<TAB>JSON BODY].
-- Usage: wrk ... -s requests.lua URL -- FILE MODE
--   MODE "random": each request picks a line at random (reads);
--   MODE "sequential": the threads share out the lines in order, each used
--   once (writes such as close, which must hit a different ticket each time);
--   past the last line they start again and count it in "wrapped".
-- done() prints one JSON line with the figures (latencies in microseconds).

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

local lines = {}
local mode = "random"
local position = 0
local step = 1
wrapped = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if body == "" then body = nil end
    table.insert(lines, {method = method, path = path, body = body})
  end
  file:close()
  mode = args[2] or "random"
  position = index
  step = #threads
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
  return wrk.format(entry.method, entry.path, nil, entry.body)
end

function done(summary, latency, requests)
  local wrapped_total = 0
  for _, thread in ipairs(threads) do
    wrapped_total = wrapped_total + (thread:get("wrapped") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f, "wrapped": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.status,
    errors.connect + errors.read + errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, wrapped_total))
end
