#!/usr/bin/env bash
# Proves tooling/scripts/setup-test-env.sh on a fresh Debian 12, for real (no stubs): a
# debootstrapped chroot, run as root on a Debian host with network access to the Debian
# mirror. Not part of `pnpm test` (it downloads ~400 MB): run it by hand after changing the
# set-up script.
#   bash tooling/scripts/test-setup-test-env-fresh-debian.sh [chroot-dir]   (default /tmp/freshdeb/root)
# Phases: 1 not root on a bare system (must list the commands and exit 1); 2 root installs the
# packages; then, each in its own network namespace (nothing listening, so the host's servers
# are not seen): 3 Debian's cluster on another port, 4 no cluster at all, 5 a cluster that
# apt created but could not start — each must end with postgres://root@127.0.0.1:5432/test
# and Redis usable, a fast second run, and "ready" (exit 0) for an unprivileged user.
# SKIP_INSTALL=1 skips phases 1-2 on an already prepared chroot; ONLY5=1 runs phase 5 only.
set -uo pipefail
R=${1:-/tmp/freshdeb/root}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x "$R/bin/bash" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  debootstrap --variant=minbase bookworm "$R" http://deb.debian.org/debian
fi
mkdir -p "$R/repo/tooling/scripts"
cp "$REPO/tooling/scripts/setup-test-env.sh" "$R/repo/tooling/scripts/"
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod +x "$R/usr/sbin/policy-rc.d"  # as in Debian's container images
inroot() { # $1 = net|host, rest = command run in the chroot (own mount+pid namespace)
  local mode=$1; shift
  local net=(); [ "$mode" = net ] && net=(--net)
  unshare "${net[@]}" --mount --pid --fork bash -c '
    R=$1; shift
    mount --rbind /dev "$R/dev"; mount -t proc proc "$R/proc"; mount -t tmpfs tmpfs "$R/run"; mkdir -p "$R/run/postgresql" "$R/dev/shm"
    [ -n "'"${net[*]}"'" ] && ip link set lo up 2>/dev/null || true
    exec chroot "$R" /bin/bash -c "$*"' _ "$R" "$@"
}
step() { echo; echo "===== $*"; }
S=/repo/tooling/scripts/setup-test-env.sh
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

if [ "${SKIP_INSTALL:-}" != 1 ]; then
step "1. fresh, not root: lists what is missing, prints the command, exits 1"
inroot host "cd /tmp && $NOBODY bash $S; echo rc=\$?"

step "2. fresh, root, with network: installs postgresql redis-server chromium (apt-get)"
inroot host "time bash $S; echo rc=\$?"
inroot host "dpkg -l postgresql redis-server chromium | tail -3 | cut -c1-60; pg_lsclusters"

fi
DROP_ALL='for c in $(pg_lsclusters -h | awk "{print \$1\"/\"\$2}"); do pg_dropcluster --stop ${c%/*} ${c#*/}; done'

if [ "${ONLY5:-}" != 1 ]; then
step "3. own network namespace (nothing listening), packages present; Debian's main cluster on 5433 (5432 was busy at install time)"
inroot net "
  $DROP_ALL; pg_createcluster -p 5433 15 main >/dev/null; pg_lsclusters
  echo '--- 3a not root'; $NOBODY bash $S; echo rc=\$?
  echo '--- 3b root'; time bash $S; echo rc=\$?
  echo '--- 3c root again (fast path)'; time bash $S; echo rc=\$?
  echo '--- 3d not root, all present'; time $NOBODY bash $S; echo rc=\$?
  echo '--- 3e the tests default URL'; psql postgres://root@127.0.0.1:5432/test -Atc 'select current_user, current_database(), (select rolsuper from pg_roles where rolname = current_user)'
  psql 'postgres://root@[::1]:5432/test' -Atc 'select 1' && echo ipv6 ok
  echo '--- 3f pg_hba.conf'; pg_lsclusters; grep -v '^#' /etc/postgresql/15/test/pg_hba.conf | grep -v '^\$'
  echo '--- 3g other roles still need a password over TCP'; runuser -u postgres -- psql -p 5432 -qc \"create role app login password 'x'\"; psql -w postgres://app@127.0.0.1:5432/test -c 'select 1' 2>&1 | tail -1
  redis-cli ping
"

step "4. no cluster at all (as on a fresh install whose post-install made none), root: creates main on 5432"
inroot net "
  $DROP_ALL; pg_lsclusters
  time bash $S; echo rc=\$?
  pg_lsclusters
  echo '--- run again: hba lines added once'; bash $S; grep -c 'core test role' /etc/postgresql/15/main/pg_hba.conf
"

fi
step "5. the usual fresh container: apt's post-install made main on 5432 but could not start it (policy-rc.d)"
inroot net "
  $DROP_ALL; pg_createcluster -p 5432 15 main >/dev/null; pg_lsclusters
  time bash $S; echo rc=\$?
  psql postgres://root@127.0.0.1:5432/test -Atc 'select current_user'
"
