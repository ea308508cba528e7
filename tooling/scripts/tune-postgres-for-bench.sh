#!/usr/bin/env bash
# Run by `pnpm bench` before it measures: gives the local PostgreSQL the buffer cache an
# operator would give a server holding the bench's million-record store. The manual
# ("Resource Consumption") suggests shared_buffers of 25% of the machine's memory; the
# packaged default, 128 MB, holds less than the 1M-record table and its indexes, so a page of
# 100 records in hash order would read most rows from the OS cache and the scaling section
# would measure the server's configuration, not the store.
#   - The default server (POSTGRES_URL unset or postgres://root@127.0.0.1:5432/test), as root,
#     below the target: `ALTER SYSTEM SET shared_buffers`, then a restart of the cluster on
#     port 5432 (pg_ctlcluster). At or above it: nothing (a server tuned higher stays so).
#   - Any other server, or not root: prints the setting and the command to raise it, and
#     leaves the server alone (the report records the setting either way).
# BENCH_SHARED_BUFFERS_MB overrides the target (e.g. 128 to measure the packaged default).
set -euo pipefail

DEFAULT_PG="postgres://root@127.0.0.1:5432/test"
PG_URL="${POSTGRES_URL:-$DEFAULT_PG}"
say() { echo "tune-postgres-for-bench: $*"; }

mem_mb=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024))
target_mb="${BENCH_SHARED_BUFFERS_MB:-$((mem_mb / 4))}"
current_mb="$(PGCONNECT_TIMEOUT=3 psql "$PG_URL" -Atqc \
  "select setting::bigint * pg_size_bytes(coalesce(nullif(unit, ''), '1B')) / 1048576 from pg_settings where name = 'shared_buffers'" 2>/dev/null)" || {
  say "PostgreSQL is not reachable at $PG_URL; the bench will report it as not measured"
  exit 0
}

# Only raised, never lowered, unless a target is given (a server tuned higher stays so).
if [ "$current_mb" -eq "$target_mb" ] || { [ -z "${BENCH_SHARED_BUFFERS_MB:-}" ] && [ "$current_mb" -gt "$target_mb" ]; }; then
  say "shared_buffers is ${current_mb} MB (target ${target_mb} MB; a quarter of this machine is $((mem_mb / 4)) MB)"
  exit 0
fi
if [ "$PG_URL" != "$DEFAULT_PG" ] || [ "$(id -u)" != 0 ]; then
  say "shared_buffers is ${current_mb} MB, target ${target_mb} MB; left as it is (not the default local server, or not root)."
  say "to raise it: psql \"$PG_URL\" -c \"ALTER SYSTEM SET shared_buffers = '${target_mb}MB'\", then restart the server"
  exit 0
fi

cluster="$(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 { print $1, $2; exit }')"
[ -n "$cluster" ] || { say "no cluster on port 5432 to restart; shared_buffers stays ${current_mb} MB"; exit 0; }
read -r ver name <<<"$cluster"
say "shared_buffers ${current_mb} MB -> ${target_mb} MB (a quarter of ${mem_mb} MB); restarting PostgreSQL $ver/$name…"
psql "$PG_URL" -Atqc "ALTER SYSTEM SET shared_buffers = '${target_mb}MB'" >/dev/null
pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" restart
for _ in $(seq 1 40); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.25; done
say "shared_buffers is now $(psql "$PG_URL" -Atqc 'show shared_buffers')"
