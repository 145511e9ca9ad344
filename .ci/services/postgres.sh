# A throwaway PostgreSQL cluster for the hyperparameter-search tests (many workers sharing one
# Optuna study): initdb into a temporary folder as an unprivileged user, listening on
# 127.0.0.1 at a free port, stopped and removed on every exit of .ci/run.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
    apt_install postgresql || true
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -n "$pg_bin" ]; then
    pg_user=$(id -un)
    if [ "$(id -u)" = 0 ]; then  # the server refuses to run as root
        pg_user=postgres
        id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home "$pg_user"
    fi
    pg_dir=$(mktemp -d /tmp/glassnet-ci-postgres.XXXXXX)
    chown "$pg_user" "$pg_dir"
    pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    pg_as_user() { if [ "$(id -un)" = "$pg_user" ]; then "$@"; else runuser -u "$pg_user" -- "$@"; fi; }
    if pg_as_user "$pg_bin/initdb" -D "$pg_dir/data" -U glassnet -A trust >"$pg_dir/initdb.log" 2>&1 &&
        pg_as_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
            -o "-h 127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200" start >/dev/null; then
        export GLASSNET_TEST_POSTGRES_URL="postgresql://glassnet@127.0.0.1:$pg_port/postgres"
        stop_postgres() {
            pg_as_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1
            rm -rf "$pg_dir"
        }
        stop_hooks+=(stop_postgres)
    else
        echo "note: PostgreSQL did not start (see below); the search tests on it will say so"
        tail -n 5 "$pg_dir/initdb.log" "$pg_dir/server.log" 2>/dev/null || true
        rm -rf "$pg_dir"
    fi
fi
