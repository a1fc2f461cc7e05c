-- wrk: POST the signed event. BODY_FILE and SIGNATURE come from the environment.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Stripe-Signature"] = os.getenv("SIGNATURE")

-- Report non-2xx answers, so that a run of rejections cannot pass for throughput.
function done(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
