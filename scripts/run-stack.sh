#!/usr/bin/env bash
# Starts Redis and a worker from .env until the Procfile runner (`petal start`) replaces this.
# Ctrl-C stops both; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a; source .env; set +a
mkdir -p .petal/redis
redis-server --port "${REDIS_PORT:-6379}" --bind 127.0.0.1 --appendonly yes --dir "$PWD/.petal/redis" --save "" &
redis_pid=$!
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-6379}"
.build/release/petal worker --concurrency "${WORKER_CONCURRENCY:-2}" &
worker_pid=$!
stop() {
  kill -TERM "$worker_pid" 2>/dev/null || true
  wait "$worker_pid" 2>/dev/null || true
  kill -TERM "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
}
trap stop INT TERM EXIT
echo "Petal is up: Redis on $REDIS_URL, a worker with ${WORKER_CONCURRENCY:-2} children. Try: .build/release/petal call progress 10 0.2"
wait -n "$redis_pid" "$worker_pid"
