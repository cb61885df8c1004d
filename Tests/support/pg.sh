#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the test suites (trust auth, no durability).
#
#   Tests/support/pg.sh start   create and start it; prints the base URL
#   Tests/support/pg.sh url     print the base URL of the running cluster
#   Tests/support/pg.sh stop    stop it and delete its files
#
#   RAR_TEST_POSTGRES="$(Tests/support/pg.sh start)" swift test; Tests/support/pg.sh stop
#
# Environment: RAR_PG_DIR (default ${TMPDIR:-/tmp}/rar-pg-UID), RAR_PG_PORT (default: the first
# free port from 55432). Run as root, the server runs as the `postgres` user (initdb refuses root).
set -euo pipefail

dir="${RAR_PG_DIR:-${TMPDIR:-/tmp}/rar-pg-$(id -u)}"

bindir() {
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [[ -z "$d" || ! -x "$d/pg_ctl" ]]; then
        echo "pg.sh: no PostgreSQL server binaries (initdb, pg_ctl); install the postgresql package" >&2
        exit 1
    fi
    echo "$d"
}

# Run as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url() {
    [[ -f "$dir/port" ]] || { echo "pg.sh: no cluster in $dir (run: pg.sh start)" >&2; exit 1; }
    echo "postgres://rar@127.0.0.1:$(cat "$dir/port")/postgres"
}

start() {
    local bin port
    bin="$(bindir)"
    if [[ -f "$dir/port" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        url
        return
    fi
    rm -rf "$dir/data" "$dir/port" "$dir/log"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [[ "$(id -u)" == 0 ]]; then chown postgres: "$dir"; fi
    port="${RAR_PG_PORT:-55432}"
    while port_busy "$port"; do port=$((port + 1)); done
    as_owner "$bin/initdb" -D "$dir/data" -U rar --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o \
        "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$dir/log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    url
}

stop() {
    if [[ -d "$dir/data" ]]; then
        as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
