-- wrk script: the same body as Main.BODY (the no-HTTP baseline sends these bytes too)
wrk.method = "POST"
wrk.body = '{"payload":{"op":"learn","key":"k42"},"idempotency_key":"bench-0001"}'
wrk.headers["Content-Type"] = "application/json"
