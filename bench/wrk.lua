-- wrk script of bench/run.py. With no arguments: the request wrk was given. With
-- "-- <file> <threads>": POSTs, one line of <file> each ("path<TAB>cookie<TAB>body"), each
-- thread taking every <threads>-th line from its own start, so no two requests repeat one.
-- At the end: one line "BENCH requests duration_us p50_us p95_us connect read write status
-- timeout" that run.py reads.
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

function init(args)
  if args[1] then
    lines = {}
    for l in io.lines(args[1]) do
      local path, cookie, body = l:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(lines, {path, cookie, body})
    end
    stride = tonumber(args[2] or "1")
    counter = (tid or 1) - 1
  end
end

function request()
  if not lines then
    return wrk.format()
  end
  local l = lines[counter % #lines + 1]
  counter = counter + stride
  return wrk.format("POST", l[1], {
    ["Cookie"] = l[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, l[3])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), e.connect, e.read,
    e.write, e.status, e.timeout))
end
