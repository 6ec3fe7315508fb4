-- wrk: POST to {base}/{job}/reset-state, and print a JSON summary.
-- Job ids come from the file named by JOBS_FILE, one per line. They are
-- shuffled and each is used once (then again from the start, should a run
-- outlast them), so every request clears a mark no earlier one cleared.
local ids = {}
for line in io.lines(os.getenv("JOBS_FILE")) do ids[#ids + 1] = line end
local prefix = os.getenv("PATH_PREFIX")
local token = os.getenv("TOKEN")
math.randomseed(os.time())
for i = #ids, 2, -1 do
  local j = math.random(i)
  ids[i], ids[j] = ids[j], ids[i]
end
local next_id = 0

request = function()
  local headers = {}
  if token ~= nil and token ~= "" then headers["Authorization"] = token end
  next_id = next_id % #ids + 1
  local path = prefix .. ids[next_id] .. "/reset-state"
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
