#!/usr/bin/env bash
# Starts throwaway PostgreSQL and Redis servers on 127.0.0.1 for the tests that need shared state (the second run of
# the ledger and session-store suites, the two-instance test), and prints the variables that point the tests at them:
#
#   eval "$(scripts/test-services.sh start)"   # then: npm test
#   scripts/test-services.sh stop
#
# Needs Debian's postgresql and redis-server packages (apt-get install -y postgresql redis-server). Nothing is kept:
# both servers run without persistence in a temporary folder, and stop removes it. PostgreSQL refuses to run as root,
# so as root the cluster runs as the postgres user. Ports: TEST_PG_PORT (default 54329), TEST_REDIS_PORT (6390).
set -euo pipefail

PG_PORT="${TEST_PG_PORT:-54329}"
REDIS_PORT="${TEST_REDIS_PORT:-6390}"
STATE="${TMPDIR:-/tmp}/storefront-test-services"

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return
    fi
  done
  echo "PostgreSQL server not found: apt-get install -y postgresql" >&2
  exit 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  command -v redis-server >/dev/null || {
    echo "redis-server not found: apt-get install -y redis-server" >&2
    exit 1
  }
  local bin
  bin="$(pg_bin)"
  stop >/dev/null 2>&1 || true
  mkdir -p "$STATE/pg" "$STATE/redis"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$STATE/pg"; fi
  as_pg "$bin/initdb" -D "$STATE/pg/data" -U postgres --auth=trust -E UTF8 --no-locale >"$STATE/pg/initdb.log"
  # fsync off: a test cluster is thrown away, so durability only costs time here.
  if ! as_pg "$bin/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/server.log" -w start \
    -o "-p $PG_PORT -k $STATE/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" >/dev/null; then
    # stop (on exit, in CI) removes the folder with the log: show why here first.
    echo "PostgreSQL did not start on 127.0.0.1:$PG_PORT; the end of its log:" >&2
    tail -n 20 "$STATE/pg/server.log" >&2 || true
    exit 1
  fi
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$STATE/redis" --pidfile "$STATE/redis/redis.pid" --logfile "$STATE/redis/redis.log"
  for _ in $(seq 50); do
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null
  echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

stop() {
  local bin
  bin="$(pg_bin)"
  if [ -d "$STATE/pg/data" ]; then as_pg "$bin/pg_ctl" -D "$STATE/pg/data" -m fast -w stop >/dev/null || true; fi
  if [ -f "$STATE/redis/redis.pid" ]; then kill "$(cat "$STATE/redis/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$STATE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
