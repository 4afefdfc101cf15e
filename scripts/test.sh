#!/usr/bin/env bash
# The test suite: unit tests (pure logic) and end-to-end tests on real containers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TESTCONTAINERS_RYUK_DISABLED=true
# E2E files (labs) at a time: the machine's default -j (vitest.config.ts); PGCHAOS_E2E_JOBS=N sets it.
exec npx vitest run --project unit --project e2e "$@"
