#!/usr/bin/env bash
# A throwaway PostgreSQL for the test run: its own cluster in a temp dir, on 127.0.0.1 only.
#   eval "$(bash scripts/postgres.sh start)"   # prints export HEXALIGN_TEST_POSTGRES_URL=... and
#                                              # HEXALIGN_PG_DIR=...; reuses a running one
#   bash scripts/postgres.sh stop [DIR]        # stops it and deletes the dir (default $HEXALIGN_PG_DIR)
# Installs Debian's postgresql if missing. As root, the server runs as the unprivileged
# `postgres` user (initdb refuses root). Every run gets its own cluster and port, so two test
# runs on one machine never share (or stop) each other's database.
set -euo pipefail

MARKER=hexalign-test-cluster
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

say() { echo "postgres.sh: $*" >&2; }

pg_bin() {  # newest installed server's bin dir
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_installed() {
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    say "installing Debian postgresql"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  fi
}

run_as_owner() {  # run a command as the cluster's owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_env() {
  printf "export HEXALIGN_TEST_POSTGRES_URL='%s'\n" "$(cat "$1/url")"
  printf "export HEXALIGN_PG_DIR='%s'\n" "$1"
}

start() {
  local dir=${HEXALIGN_PG_DIR:-}
  if [ -n "$dir" ] && [ -f "$dir/$MARKER" ] && run_as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    print_env "$dir"  # already running: idempotent
    return 0
  fi
  ensure_installed
  local bin user password port
  bin=$(pg_bin)
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/hexalign-pg.XXXXXX")
  touch "$dir/$MARKER"
  mkdir "$dir/data" "$dir/socket"
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' "$password" >"$dir/pwfile"
  chmod 600 "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
  run_as_owner "$bin/initdb" -D "$dir/data" -U hexalign --pwfile="$dir/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  rm -f "$dir/pwfile"
  for _ in 1 2 3; do  # a free port can be taken between choosing and binding: retry
    port=$(free_port)
    if run_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
      break
    fi
    port=""
  done
  if [ -z "$port" ]; then
    say "the server did not start; see $dir/server.log"
    exit 1
  fi
  PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U hexalign hexalign_test
  printf 'postgresql+psycopg://hexalign:%s@127.0.0.1:%s/hexalign_test\n' "$password" "$port" >"$dir/url"
  say "PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port (cluster $dir)"
  print_env "$dir"
}

stop() {
  local dir=${1:-${HEXALIGN_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    return 0  # nothing running: idempotent
  fi
  if [ ! -f "$dir/$MARKER" ]; then
    say "$dir is not a cluster this script made; leaving it alone"
    exit 1
  fi
  if [ -n "$(pg_bin)" ]; then
    run_as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
