-- wrk script for bench/daemon.sh overhead: a learn request without idempotency key (each one is new)
wrk.method = "POST"
wrk.body = '{"payload":{"op":"learn","key":"k42"}}'
wrk.headers["Content-Type"] = "application/json"
