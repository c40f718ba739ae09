#!/usr/bin/env bash
# A private PostgreSQL cluster for the sync tests: initdb in a temporary folder, trust
# authentication, listening on a loopback port only.
#
#   eval "$(bash scripts/pg-test-cluster.sh start)"   # sets TM_TEST_PG_URL, TM_TEST_PG_DIR
#   bash scripts/pg-test-cluster.sh stop "$TM_TEST_PG_DIR"
#
# PostgreSQL refuses to run as root, so under root the cluster belongs to the
# unprivileged user "nobody" (runuser). TM_TEST_PG_URL names the maintenance database;
# tests create their own databases in it.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "pg-test-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner () {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/toolmark-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown nobody "$dir"
    # A free loopback port: ask the kernel for one.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$pg_bin/initdb" -D "$dir/data" -U toolmark --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=50" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export TM_TEST_PG_URL=postgresql://toolmark@127.0.0.1:$port/postgres"
    echo "export TM_TEST_PG_DIR=$dir"
    ;;
  stop)
    dir=${2:?give the cluster folder}
    case "$dir" in /tmp/toolmark-pg.*) ;; *) echo "pg-test-cluster: $dir is not a test cluster" >&2; exit 1 ;; esac
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
