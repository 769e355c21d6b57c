"""Celery's side of `make bench` (Benchmarks/PetalBench/PeerBench.swift runs it; see docs/PERFORMANCE.md).

    python celery_bench.py REDIS_URL version | enqueue N | bulk N | drain N prefork|solo CONCURRENCY

enqueue: N `delay()` calls one after the other. bulk: N jobs as groups of 1,000 signatures
(`group(...).apply_async()`). drain: the N jobs already queued (by `bulk N`) run by a Celery worker
started in this process (results ignored, Redis broker); the clock starts just before the worker
is made and stops when the N-th job has run. Prints one line `result jobs=N seconds=S [first=F]`.
"""
import os
import signal
import threading

import celery
from celery import Celery, group

import peer_common

url, mode, count, rest = peer_common.arguments()

app = Celery("bench", broker=url)
app.conf.update(
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,  # the result line goes to our stdout as printed
)


@app.task(name="bench.noop")
def noop():
    peer_common.noop()


if mode == "version":
    print("version Celery %s" % celery.__version__)
elif mode == "enqueue":
    start = peer_common.clock()
    for _ in range(count):
        noop.delay()
    peer_common.result(count, peer_common.clock() - start)
elif mode == "bulk":
    start = peer_common.clock()
    for first in range(0, count, 1000):
        group(noop.s() for _ in range(min(1000, count - first))).apply_async()
    peer_common.result(count, peer_common.clock() - start)
elif mode == "drain":
    pool, concurrency = rest[0], int(rest[1])
    peer_common.expect(count)

    def report_then_stop():
        seconds, first = peer_common.wait_for_drain(start)
        peer_common.result(count, seconds, first)
        os.kill(os.getpid(), signal.SIGTERM)  # Celery's warm shutdown

    # Mingle and gossip only talk to other workers; there are none, and mingle waits a second for them.
    start = peer_common.clock()
    worker = app.Worker(pool=pool, concurrency=concurrency, loglevel="WARNING", quiet=True,
                        without_mingle=True, without_gossip=True)
    threading.Thread(target=report_then_stop, daemon=True).start()
    worker.start()
    left = app.connection().default_channel.client.llen("celery")
    if left:
        raise SystemExit("%d jobs still queued after the drain" % left)
else:
    raise SystemExit(peer_common.USAGE.format("celery_bench.py"))
