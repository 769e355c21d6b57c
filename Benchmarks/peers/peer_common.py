"""What the Python peers of `make bench` share (celery_bench.py, rq_bench.py): their arguments, the
result line the bench reads, and the no-op job, which counts itself in shared memory so that the
children of a prefork pool (forked after this module is imported) count too."""
import multiprocessing
import sys
import time

USAGE = "usage: {} REDIS_URL version | enqueue N | bulk N | drain N [OPTIONS]"

_ran = multiprocessing.Value("q", 0)  # jobs run so far, in this process and its forked children
_first = multiprocessing.Value("d", 0.0)  # time.monotonic() when the first ran (system-wide on Linux)
_last = multiprocessing.Value("d", 0.0)  # ... and when the expected-th ran
_expected = multiprocessing.Value("q", 0)

clock = time.monotonic


def arguments():
    """(redis_url, mode, count, further arguments), or exits with the usage line."""
    if len(sys.argv) < 3:
        sys.exit(USAGE.format(sys.argv[0]))
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    return sys.argv[1], sys.argv[2], count, sys.argv[4:]


def result(jobs, seconds, first=None):
    line = "result jobs=%d seconds=%.6f" % (jobs, seconds)
    if first is not None:
        line += " first=%.6f" % first
    print(line, flush=True)


def noop():
    """The no-op job. It only counts itself, so the drain knows when the N-th has run."""
    now = clock()
    with _ran.get_lock():
        _ran.value += 1
        if _ran.value == 1:
            _first.value = now
        if _ran.value == _expected.value:
            _last.value = now


def expect(count):
    """Call before the worker starts (before its pool forks)."""
    _expected.value = count


def drained():
    """Whether the expected number of jobs has run."""
    return _last.value != 0.0


def wait_for_drain(start):
    """Blocks until the expected number of jobs has run: (seconds from `start` to the last, to the first)."""
    while not drained():
        time.sleep(0.01)  # only how soon we notice; the jobs take their own times
    return _last.value - start, _first.value - start
