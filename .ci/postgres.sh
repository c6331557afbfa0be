#!/usr/bin/env bash
# Make sure the PostgreSQL server the storage tests use is up on 127.0.0.1:5432 and lets
# the `postgres` user in without a password (trust), as on a developer's machine.
# Safe to run again: does nothing when the server already answers.
set -euo pipefail

HOST=127.0.0.1
PORT=5432

ready() { pg_isready -q -h "$HOST" -p "$PORT"; }

if ! command -v pg_isready >/dev/null 2>&1; then
    echo "postgres.sh: PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
    exit 1
fi

if ! ready; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "postgres.sh: starting PostgreSQL $version (cluster main)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 60); do
        ready && break
        sleep 0.5
    done
    if ! ready; then
        echo "postgres.sh: PostgreSQL did not become ready on $HOST:$PORT" >&2
        exit 1
    fi
fi

# The tests connect as postgres@127.0.0.1 with trust auth; say so plainly if that fails.
if ! psql -h "$HOST" -p "$PORT" -U postgres -w -d postgres -Atqc "select 1" >/dev/null 2>&1; then
    echo "postgres.sh: cannot connect as postgres@$HOST without a password;" \
         "add 'host all all 127.0.0.1/32 trust' to pg_hba.conf and reload" >&2
    exit 1
fi
echo "postgres.sh: PostgreSQL ready on $HOST:$PORT"
