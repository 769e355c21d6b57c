#!/usr/bin/env python3
"""What Redis spends per job in Petal's function library, without workers or clients in the way.

Usage: python3 Benchmarks/LuaCost/lua_cost.py PORT [JOBS] [TAKE]

Loads Sources/Petal/Lua (prelude.lua first, as Petal does) into the redis-server on PORT (it is
flushed: use a server of your own), then pipes through redis-cli --pipe: JOBS enqueues (100 per
call), then a child's steady loop of finish calls that acknowledge TAKE jobs and take TAKE more.
Prints Redis's CPU time per job (INFO cpu) and the commands the functions ran (INFO commandstats).
The figures in docs/PERFORMANCE.md's "Per job in Redis" table come from here.
"""
import os, subprocess, sys, time

PORT = sys.argv[1]
JOBS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
TAKE = int(sys.argv[3]) if len(sys.argv) > 3 else 8
LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'Sources', 'Petal', 'Lua')

def cli(*args, input=None):
    return subprocess.run(['redis-cli', '-p', PORT] + list(args), input=input, capture_output=True, text=True).stdout

def resp(args):
    out = '*%d\r\n' % len(args)
    for value in map(str, args):
        out += '$%d\r\n%s\r\n' % (len(value.encode()), value)
    return out

def pipe(commands):
    result = subprocess.run(['redis-cli', '-p', PORT, '--pipe'], input=''.join(map(resp, commands)), capture_output=True, text=True)
    if 'errors: 0' not in result.stdout:
        sys.exit('redis-cli --pipe: ' + result.stdout[-300:] + result.stderr)

def snapshot():
    commands = {}
    for line in cli('INFO', 'commandstats').splitlines():
        if line.startswith('cmdstat_'):
            name, rest = line.split(':', 1)
            fields = dict(part.split('=') for part in rest.split(','))
            commands[name[len('cmdstat_'):]] = (int(fields['calls']), int(fields['usec']))
    cpu = dict(line.strip().split(':') for line in cli('INFO', 'cpu').splitlines() if ':' in line)
    return commands, float(cpu['used_cpu_sys']) + float(cpu['used_cpu_user'])

def report(label, before, after, jobs):
    (commands_before, cpu_before), (commands_after, cpu_after) = before, after
    rows, count = [], 0
    for name, (calls, usec) in commands_after.items():
        calls0, usec0 = commands_before.get(name, (0, 0))
        if name not in ('fcall', 'info', 'config'):
            count += calls - calls0
        if usec > usec0:
            rows.append((name, (usec - usec0) / jobs, (calls - calls0) / jobs))
    rows.sort(key=lambda row: -row[1])
    print('%s: Redis CPU %.1f µs per job, %.1f commands per job; by command (µs, calls per job): %s'
          % (label, (cpu_after - cpu_before) / jobs * 1e6, count / jobs, ', '.join('%s %.1f (%.2f)' % row for row in rows[:10])))

files = sorted(name for name in os.listdir(LUA) if name.endswith('.lua'))
library = ''.join(open(os.path.join(LUA, name)).read() for name in ['prelude.lua'] + [f for f in files if f != 'prelude.lua'])
cli('FLUSHALL')
cli('FUNCTION', 'FLUSH')
cli('-x', 'FUNCTION', 'LOAD', 'REPLACE', input=library)
now = '%.6f' % time.time()
ids = ['9a3f1c2e-7b4d-4e8f-a1b2-%012d' % i for i in range(JOBS)]

def call(name, *args):
    return ['FCALL', 'petal_' + name, 0, 'petal', now] + list(args)

enqueues = []
for start in range(0, JOBS, 100):
    batch = ids[start:start + 100]
    args = [len(batch), 'lua-cost-1@host', '1']
    for id in batch:
        args += [id, 'noop', 'default', '[]', '{}', '', '', '0', '', '', '', '', now]
    enqueues.append(call('enqueue', *args))
before = snapshot(); pipe(enqueues); report('enqueue (100 per call)', before, snapshot(), JOBS)

cli('HSET', 'petal:worker:w1', 'name', 'w1')  # a live worker (fetch gives one without a heartbeat nothing)
loop = [call('fetch', 'w1', '100', TAKE, 'default')]
groups = [ids[start:start + TAKE] for start in range(0, JOBS, TAKE)]
for index, group in enumerate(groups):
    args = ['w1', '100', len(group)]
    for id in group:
        args += [id, 'SUCCESS', 'null', '', '', '0.000010', '0.000000', '1']
    loop.append(call('finish', *(args + [TAKE if index + 1 < len(groups) else 0, 'default'])))
before = snapshot(); pipe(loop); report('finish and take, %d per call' % TAKE, before, snapshot(), JOBS)
used = int(cli('INFO', 'memory').split('used_memory:')[1].split()[0])
print('memory: %.0f bytes per finished job (the event stream, %s bytes, included)' % (used / JOBS, cli('MEMORY', 'USAGE', 'petal:events').strip()))
