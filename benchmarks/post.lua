-- wrk: POST to {base}/{random job}/reset-state, and print a JSON summary.
-- Job ids come from the file named by JOBS_FILE, one per line.
local ids = {}
for line in io.lines(os.getenv("JOBS_FILE")) do ids[#ids + 1] = line end
local prefix = os.getenv("PATH_PREFIX")
local token = os.getenv("TOKEN")
math.randomseed(os.time())

request = function()
  local headers = {}
  if token ~= nil and token ~= "" then headers["Authorization"] = token end
  local path = prefix .. ids[math.random(#ids)] .. "/reset-state"
  return wrk.format("POST", path, headers, "")
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
