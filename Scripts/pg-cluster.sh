#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the postgres backend's tests.
#
#   Scripts/pg-cluster.sh start DIR   # installs PostgreSQL from Debian's packages if missing, initdb in DIR,
#                                     # starts it on a free port, prints the connection URL on stdout
#   Scripts/pg-cluster.sh stop DIR    # stops it and removes DIR
#
# The cluster uses password (SCRAM) authentication on TCP, so that the tests exercise a real login; the password is
# random per cluster and lives only in DIR and in the URL handed to the tests.
set -euo pipefail

command=${1:-}
dir=${2:-}
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$found" ]; then
        echo "installing PostgreSQL from Debian's packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; } >&2
        # Debian's package starts a cluster of its own; the tests do not use it.
        service postgresql stop >/dev/null 2>&1 || true
        found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$found"
}

# initdb and postgres refuse to run as root: run them as the postgres user the package creates.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    bin=$(bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    as_owner bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
    as_owner "$bin/initdb" -D "$dir/data" -U mediaform --pwfile="$dir/pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # Throw-away data: no fsync, small shared memory; the server still gives real transactions and locks.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U mediaform mediaform_test
    echo "$port" > "$dir/port"
    echo "postgres://mediaform:$password@127.0.0.1:$port/mediaform_test?sslmode=disable"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
