#!/usr/bin/env bash
# The main job: every scenario in scenarios/ (or the paths given), reports in reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TESTCONTAINERS_RYUK_DISABLED=true
exec node dist/cli/main.js run "${@:-scenarios}"
