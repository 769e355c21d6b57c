"""RQ's side of `make bench` (Benchmarks/PetalBench/PeerBench.swift runs it; see docs/PERFORMANCE.md).

    python rq_bench.py REDIS_URL version | enqueue N | bulk N | drain N

enqueue: N `Queue.enqueue` calls one after the other. bulk: N jobs by `Queue.enqueue_many`, 1,000
a call (one pipeline each). drain: the N jobs already queued (by `bulk N`) run by a SimpleWorker
(jobs in the worker's own process, no fork per job) in burst mode in this process; the clock starts
just before the worker is made and stops when the N-th job has run. Prints one line
`result jobs=N seconds=S [first=F]`.
"""
import rq
from redis import Redis
from rq import Queue, SimpleWorker

import peer_common

url, mode, count, rest = peer_common.arguments()
redis = Redis.from_url(url)
queue = Queue("default", connection=redis)
job = "peer_common.noop"

if mode == "version":
    print("version RQ %s" % rq.__version__)
elif mode == "enqueue":
    start = peer_common.clock()
    for _ in range(count):
        queue.enqueue(job)
    peer_common.result(count, peer_common.clock() - start)
elif mode == "bulk":
    start = peer_common.clock()
    for first in range(0, count, 1000):
        queue.enqueue_many([Queue.prepare_data(job) for _ in range(min(1000, count - first))])
    peer_common.result(count, peer_common.clock() - start)
elif mode == "drain":
    peer_common.expect(count)
    start = peer_common.clock()
    SimpleWorker([queue], connection=redis).work(burst=True, logging_level="WARNING")
    if not peer_common.drained():  # burst mode ends with the queue empty: a job that failed never counted
        raise SystemExit("the queue is empty but not every job ran (see RQ's failed job registry)")
    seconds, first = peer_common.wait_for_drain(start)
    peer_common.result(count, seconds, first)
    if len(queue):
        raise SystemExit("%d jobs still queued after the drain" % len(queue))
else:
    raise SystemExit(peer_common.USAGE.format("rq_bench.py"))
