#!/usr/bin/env bash
# Builds a minimal Debian root filesystem (bookworm, trixie, sid, ...) with debootstrap and
# imports it as a local image. Used where no registry can be pulled from. The mirror is read
# from this machine's own apt sources so that no mirror host name lives in the repository: the
# stanza that lists the suite itself, else the one serving this machine's own Debian release
# (a Debian mirror carries every suite).
# usage: make-base.sh <image-tag> [suite]
set -euo pipefail
tag=${1:?usage: make-base.sh <image-tag> [suite]}
suite=${2:-bookworm}

# $1: a suite name; prints the URI of the first apt source listing it (deb822, then one-line)
mirror_for() {
  local m=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    m=$(awk -v s="$1" '
      /^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i==s) {print u; exit}}
      /^$/ {u=""}' /etc/apt/sources.list.d/*.sources || true)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk -v s="$1" '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1)==s) {print $i; exit} } }' /etc/apt/sources.list || true)
  fi
  echo "$m"
}

own=$( . /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}" )
mirror=$(mirror_for "$suite")
[ -z "$mirror" ] && [ -n "$own" ] && mirror=$(mirror_for "$own")
if [ -z "$mirror" ]; then
  echo "make-base: no Debian mirror for suite '$suite' (nor this machine's '$own') found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
  exit 2
fi
command -v debootstrap >/dev/null || { echo "make-base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

work=$(mktemp -d /var/tmp/pgchaos-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "make-base: debootstrap $suite (minbase) ..."
debootstrap --variant=minbase --include=ca-certificates "$suite" "$work/root" "$mirror" > "$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
# sid (unstable) has neither security nor -updates suites. Its Release file is valid for a week
# only, so a mirror that is not synced daily serves an "expired" one that apt refuses
# (debootstrap does not check): accept it in the lab image, for that suite only.
if [ "$suite" = sid ] || [ "$suite" = unstable ]; then
  echo 'Acquire::Check-Valid-Until "false";' > "$work/root/etc/apt/apt.conf.d/99pgchaos-unstable-valid-until"
else
  # security updates too, when this machine has a security mirror, so images match what apt would install
  sec=$(mirror_for "${suite}-security")
  [ -z "$sec" ] && [ -n "$own" ] && sec=$(mirror_for "${own}-security")
  [ -n "$sec" ] && echo "deb $sec $suite-security main" >> "$work/root/etc/apt/sources.list"
  echo "deb $mirror $suite-updates main" >> "$work/root/etc/apt/sources.list"
fi
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
echo "make-base: docker import -> $tag"
tar -C "$work/root" -c . | docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$tag" >/dev/null
echo "make-base: done"
