#!/usr/bin/env bash
# Builds a minimal Debian bookworm root filesystem with debootstrap and imports it as a local
# image. Used where no registry can be pulled from. The mirror is read from this machine's own
# apt sources so that no mirror host name lives in the repository.
# usage: make-base.sh <image-tag> [suite]
set -euo pipefail
tag=${1:?usage: make-base.sh <image-tag> [suite]}
suite=${2:-bookworm}

mirror=""
if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
  # deb822: the first URIs line of a stanza whose Suites include the plain suite
  mirror=$(awk -v s="$suite" '
    /^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i==s) {print u; exit}}
    /^$/ {u=""}' /etc/apt/sources.list.d/*.sources || true)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk -v s="$suite" '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1)==s) {print $i; exit} } }' /etc/apt/sources.list || true)
fi
if [ -z "$mirror" ]; then
  echo "make-base: no Debian mirror for suite '$suite' found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
  exit 2
fi
command -v debootstrap >/dev/null || { echo "make-base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

work=$(mktemp -d /var/tmp/pgchaos-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "make-base: debootstrap $suite (minbase) ..."
debootstrap --variant=minbase --include=ca-certificates "$suite" "$work/root" "$mirror" > "$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
# security updates too, when this machine has them, so images match what apt would install
if grep -rqs -- "${suite}-security" /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null; then
  sec=$(awk -v s="${suite}-security" '/^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i==s) {print u; exit}} /^$/ {u=""}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$sec" ] && echo "deb $sec $suite-security main" >> "$work/root/etc/apt/sources.list"
fi
echo "deb $mirror $suite-updates main" >> "$work/root/etc/apt/sources.list"
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
echo "make-base: docker import -> $tag"
tar -C "$work/root" -c . | docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$tag" >/dev/null
echo "make-base: done"
