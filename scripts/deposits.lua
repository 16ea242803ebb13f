-- wrk script for scripts/loadtest.sh: every request is a 1-cent deposit to ACCOUNT under a
-- transaction id no other request uses; each thread counts the deposits acknowledged (200).
local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   counter = 0
   acked = 0
   other = 0
   account = os.getenv("ACCOUNT")
   token = os.getenv("TOKEN")
   run = os.getenv("RUN")
end

function request()
   counter = counter + 1
   local body = string.format('{"amount":{"minor_units":1,"currency":"USD"},"transaction_id":"%s-%d-%d"}', run, id, counter)
   return wrk.format("POST", "/accounts/" .. account .. "/deposit",
      { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
   if status == 200 then acked = acked + 1 else other = other + 1 end
end

function done(summary, latency, requests)
   local total, rejected = 0, 0
   for _, thread in ipairs(threads) do
      total = total + thread:get("acked")
      rejected = rejected + thread:get("other")
   end
   io.write(string.format("acknowledged %d\nnot_acknowledged %d\n", total, rejected))
   io.write(string.format("p50_us %d\np99_us %d\n", latency:percentile(50), latency:percentile(99)))
   io.write(string.format("rate %.1f\n", summary.requests / (summary.duration / 1e6)))
end
