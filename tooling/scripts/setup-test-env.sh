#!/usr/bin/env bash
# Everything `pnpm test` needs besides Node and pnpm, on Debian (run first by `pnpm test`):
#   - PostgreSQL on 127.0.0.1:5432 with role `root` (superuser) and database `test`, reachable
#     without a password from 127.0.0.1/::1 (the tests' default postgres://root@127.0.0.1:5432/test)
#   - Redis on 127.0.0.1:6379 and `redis-server` on PATH (some tests spawn their own servers)
#   - Debian's Chromium at /usr/bin/chromium (the playground's browser test)
# Already present: checks only, well under a second. As root: installs what is missing with
# apt-get (postgresql, redis-server, chromium), creates a cluster if there is none, starts the
# servers, creates the role and database, and adds two `trust` lines for role root on
# 127.0.0.1/::1 to pg_hba.conf (a fresh Debian cluster asks for a password on TCP; other roles
# keep their rules). Not root: prints what is missing and the commands to run, exits 1.
# POSTGRES_URL / REDIS_URL pointing elsewhere: those servers are only checked, never set up.
set -euo pipefail

DEFAULT_PG="postgres://root@127.0.0.1:5432/test"
DEFAULT_REDIS="redis://127.0.0.1:6379"
PG_URL="${POSTGRES_URL:-$DEFAULT_PG}"
REDIS="${REDIS_URL:-$DEFAULT_REDIS}"
CHROMIUM=/usr/bin/chromium
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
HBA_MARK="# core test role (tooling/scripts/setup-test-env.sh)"

have() { command -v "$1" >/dev/null 2>&1; }
pg_ok() { have psql && PGCONNECT_TIMEOUT=3 psql "$PG_URL" -Atqc "select 1" >/dev/null 2>&1; }
redis_ok() { have redis-cli && timeout 3 redis-cli -u "$REDIS" ping 2>/dev/null | grep -q PONG; }
chromium_ok() { [ -x "$CHROMIUM" ]; }
say() { echo "setup-test-env: $*"; }

# Debian packages that are missing (binaries are the test; dpkg is slower).
missing_packages() {
  local pkgs=()
  if [ "$PG_URL" = "$DEFAULT_PG" ] && ! { have pg_ctlcluster && have psql && have pg_isready; }; then
    pkgs+=(postgresql)
  elif ! have psql; then
    pkgs+=(postgresql-client)
  fi
  { have redis-server && have redis-cli; } || pkgs+=(redis-server)
  chromium_ok || pkgs+=(chromium)
  echo "${pkgs[*]:-}"
}

ready() { pg_ok && redis_ok && chromium_ok && have redis-server; }

if ready; then
  say "PostgreSQL, Redis and Chromium are ready"
  exit 0
fi

PKGS="$(missing_packages)"
problems=()
[ -n "$PKGS" ] && problems+=("Debian packages missing: $PKGS")
pg_ok || problems+=("PostgreSQL not usable at $PG_URL")
redis_ok || problems+=("Redis not reachable at $REDIS")

if [ "$(id -u)" != 0 ]; then
  {
    say "the tests need set-up that only root can do:"
    for p in "${problems[@]}"; do echo "  - $p"; done
    echo "run, then retry:"
    echo "  sudo bash $SELF"
    if [ -n "$PKGS" ]; then
      echo "(it runs: apt-get update && apt-get install -y $PKGS, then starts PostgreSQL and Redis if needed"
    else
      echo "(it starts PostgreSQL and Redis if needed"
    fi
    echo " and creates role root and database test if missing; see the top of the script)"
  } >&2
  exit 1
fi

if [ -n "$PKGS" ]; then
  say "installing $PKGS (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq $PKGS >/dev/null
fi

setup_postgres() {
  local ver name cluster status hba sock port=5432
  # The cluster on port 5432 (any version), else a new one with the newest server installed:
  # `main` if that version has none (a fresh install whose post-install step created none),
  # else `test` (Debian's `main` put on another port, e.g. because 5432 was busy then: left alone).
  # The socket directory, as Debian's tmpfiles.d makes it at boot (a cluster created without
  # it would put its socket in /tmp).
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  cluster="$(pg_lsclusters -h 2>/dev/null | awk '$3 == 5432 { print $1, $2, $4; exit }')"
  if [ -z "$cluster" ]; then
    ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    name=main
    [ -e "/etc/postgresql/$ver/main" ] && name=test
    say "creating PostgreSQL cluster $ver/$name on port 5432…"
    pg_createcluster -p 5432 "$ver" "$name" >/dev/null
    cluster="$ver $name down"
  fi
  read -r ver name status <<<"$cluster"
  if [ "$status" != online ]; then
    say "starting PostgreSQL $ver/$name…"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$port" -q && break; sleep 0.5; done
  sock="$(pg_conftool -s "$ver" "$name" show unix_socket_directories 2>/dev/null | cut -d, -f1)"
  pgsu() { runuser -u postgres -- psql -h "${sock:-/var/run/postgresql}" -p "$port" -v ON_ERROR_STOP=1 -Atq "$@"; }
  if [ "$(pgsu -c "select count(*) from pg_roles where rolname = 'root'")" = 0 ]; then
    say "creating role root…"
    pgsu -c "create role root superuser login"
  fi
  if [ "$(pgsu -c "select count(*) from pg_database where datname = 'test'")" = 0 ]; then
    say "creating database test…"
    pgsu -c "create database test owner root"
  fi
  if ! pg_ok; then
    hba="$(pgsu -c "show hba_file")"
    if ! grep -qF "$HBA_MARK" "$hba"; then
      say "allowing role root without a password from 127.0.0.1 and ::1 ($hba)…"
      # First match wins in pg_hba.conf, so the lines go on top; they name role root only.
      printf '%s\nhost all root 127.0.0.1/32 trust\nhost all root ::1/128 trust\n' "$HBA_MARK" |
        cat - "$hba" >"$hba.new"
      chown --reference="$hba" "$hba.new" && chmod --reference="$hba" "$hba.new" && mv "$hba.new" "$hba"
      pgsu -c "select pg_reload_conf()" >/dev/null
    fi
  fi
}

setup_redis() {
  say "starting Redis…"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_ok && break; sleep 0.5; done
}

if ! pg_ok; then
  [ "$PG_URL" = "$DEFAULT_PG" ] || { say "POSTGRES_URL=$PG_URL is not usable; start that server" >&2; exit 1; }
  setup_postgres
fi
if ! redis_ok; then
  [ "$REDIS" = "$DEFAULT_REDIS" ] || { say "REDIS_URL=$REDIS is not reachable; start that server" >&2; exit 1; }
  setup_redis
fi

for _ in $(seq 1 20); do pg_ok && break; sleep 0.25; done # a reloaded pg_hba.conf applies soon, not at once
pg_ok || { say "PostgreSQL is still not usable at $PG_URL" >&2; exit 1; }
redis_ok || { say "Redis is still not reachable at $REDIS" >&2; exit 1; }
chromium_ok || { say "$CHROMIUM is still missing" >&2; exit 1; }
say "PostgreSQL, Redis and Chromium are ready"
