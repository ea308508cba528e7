#!/usr/bin/env bash
# Starts (as root: installs first, if missing) the local PostgreSQL and Redis the tests use,
# and Chromium for the browser test. Kept under this name because error messages point here;
# the work is done by setup-test-env.sh, which `pnpm test` runs first anyway.
exec bash "$(dirname "${BASH_SOURCE[0]}")/setup-test-env.sh" "$@"
