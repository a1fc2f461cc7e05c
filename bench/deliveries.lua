-- wrk: POST distinct signed deliveries, read from REQUESTS (lines of `<Stripe-Signature>\t<body>`,
-- as `bench_inbox requests <count>` prints them). Each wrk thread takes its own share of the
-- lines, so that no event is sent twice until a thread has sent all of its share.
-- Globals: setup() runs in wrk's main state and sets them in each thread's own.
started = 0
function setup(thread)
  thread:set("thread_index", started)
  thread:set("thread_count", tonumber(os.getenv("WRK_THREADS") or "2"))
  started = started + 1
end

local requests = {}
local next_request = 0
function init(args)
  local n = 0
  for line in io.lines(os.getenv("REQUESTS")) do
    if n % thread_count == thread_index then
      local signature, body = line:match("^([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil,
        {["Content-Type"] = "application/json", ["Stripe-Signature"] = signature}, body)
    end
    n = n + 1
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
