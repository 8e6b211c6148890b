# Sourced by tests/run-all.sh: a throwaway PostgreSQL server for the tests.
#
# Unless EARLYBIRD_TEST_POSTGRES_URL already points at a server, this installs PostgreSQL from
# the system packages when it is missing, creates a cluster in a temporary folder, starts it
# on a free local port, exports EARLYBIRD_TEST_POSTGRES_URL, and stops and removes it on exit.

as_db_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_test_postgres() {
    if [ -n "${EARLYBIRD_PG_DATA:-}" ] && [ -d "$EARLYBIRD_PG_DATA" ]; then
        as_db_owner "$EARLYBIRD_PG_BIN/pg_ctl" -D "$EARLYBIRD_PG_DATA" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$EARLYBIRD_PG_DATA"
    fi
}

start_test_postgres() {
    if [ -n "${EARLYBIRD_TEST_POSTGRES_URL:-}" ]; then
        echo "using the PostgreSQL server at EARLYBIRD_TEST_POSTGRES_URL"
        return
    fi
    EARLYBIRD_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$EARLYBIRD_PG_BIN" ]; then
        echo "installing PostgreSQL from the system packages"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
        EARLYBIRD_PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    EARLYBIRD_PG_DATA=$(mktemp -d /tmp/earlybird-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$EARLYBIRD_PG_DATA"
    local port=55432
    while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    as_db_owner "$EARLYBIRD_PG_BIN/initdb" -D "$EARLYBIRD_PG_DATA" -U postgres -A trust --no-sync >/dev/null
    as_db_owner "$EARLYBIRD_PG_BIN/pg_ctl" -D "$EARLYBIRD_PG_DATA" -w -l "$EARLYBIRD_PG_DATA/server.log" \
        -o "-p $port -k $EARLYBIRD_PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    export EARLYBIRD_PG_BIN EARLYBIRD_PG_DATA
    export EARLYBIRD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    trap stop_test_postgres EXIT
    echo "started a throwaway PostgreSQL on port $port"
}
