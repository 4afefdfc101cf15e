#!/usr/bin/env bash
# Installs what pgchaos needs on a Debian machine, idempotently: Debian packages (the Docker
# engine, debootstrap for the offline base image, xmllint for the JUnit schema test, chromium for
# the report.html browser test) and the npm dependencies, then builds and makes sure a Docker
# engine answers (starting the installed dockerd when none runs: CI machines start with none).
# pgchaos itself installs or starts nothing unless asked (--install-engine). The lab image is
# built on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: missing ${need[*]}; install them (Debian: apt-get install ${need[*]}) and run again" >&2
    exit 2
  fi
  echo "setup: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  # `npm install` with the committed lock rather than `npm ci`: the registry client here
  # records no other platforms' optional packages (rollup, esbuild) in the lock, and `npm ci`
  # refuses such a lock as out of sync.
  echo "setup: npm install"
  npm install --no-audit --no-fund --loglevel=error
fi
npm run --silent build
node dist/cli/main.js engine --install-engine
