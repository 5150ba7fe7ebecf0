#!/usr/bin/env bash
# The package's and its binaries' names against the Debian package lists this machine has: no
# package (real or virtual) of Debian may have one of them, as "glimpse" (file search, owner of
# /usr/bin/glimpse) would. Skips (exit 77) when the lists are absent: no apt-get update was run.
set -euo pipefail
names=("$@")
[ "${#names[@]}" -gt 0 ] || { echo "usage: $0 NAME..." >&2; exit 2; }
command -v apt-cache >/dev/null || { echo "skip: no apt-cache"; exit 77; }
known=$(apt-cache pkgnames 2>/dev/null || true)
# The clash this guards against must be visible, else the lists are missing and nothing is proven.
if ! grep -qx glimpse <<<"$known"; then
  echo "skip: the package lists do not have Debian's glimpse; run apt-get update"
  exit 77
fi
clash=0
for n in "${names[@]}"; do
  if grep -qx -- "$n" <<<"$known"; then
    echo "error: $n is already the name of a Debian package:" >&2
    apt-cache policy -- "$n" >&2 || true
    clash=1
  fi
  # A file of that name in the usual binary folders, owned by another installed package.
  for d in /usr/bin /bin /usr/sbin /usr/games; do
    if owner=$(dpkg-query -S "$d/$n" 2>/dev/null); then
      echo "error: $d/$n belongs to ${owner%%:*}" >&2
      clash=1
    fi
  done
done
[ "$clash" -eq 0 ] && echo "no clash: ${names[*]}"
exit "$clash"
