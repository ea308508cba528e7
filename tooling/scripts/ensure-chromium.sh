#!/usr/bin/env bash
# Debian's Chromium for the playground's browser test (never a browser through npm): part of
# setup-test-env.sh, which `pnpm test` runs first; kept for muscle memory.
exec bash "$(dirname "${BASH_SOURCE[0]}")/setup-test-env.sh" "$@"
