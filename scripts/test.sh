#!/usr/bin/env bash
# The test suite: unit tests (pure logic) and end-to-end tests on real containers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TESTCONTAINERS_RYUK_DISABLED=true
# Two e2e files (two labs) at a time: see vitest.config.ts. PGCHAOS_E2E_JOBS=1 runs them one by one.
export PGCHAOS_E2E_JOBS="${PGCHAOS_E2E_JOBS:-2}"
exec npx vitest run --project unit --project e2e "$@"
