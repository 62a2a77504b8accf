-- wrk script for bench/daemon.sh overhead, server guardian-keyed: the same learn request as daemon-post.lua, each
-- with an idempotency key of its own (a UUID-sized key: thread id, then a counter), so every request also goes
-- through the idempotency index and its journal.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = tid or 0
end
function request()
  counter = counter + 1
  local key = string.format("%08d-bench-key-%020d", thread_id, counter)
  return wrk.format(nil, nil, {["Idempotency-Key"] = key}, '{"payload":{"op":"learn","key":"k42"}}')
end
