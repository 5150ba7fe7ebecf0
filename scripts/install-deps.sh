#!/usr/bin/env bash
# Installs every Debian 12 package Glimpse needs to build, test and run. Idempotent: packages that
# are already present are left alone. Runs as root, or through sudo when available.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  qt6-base-dev qt6-tools-dev qt6-l10n-tools qt6-svg-dev qt6-image-formats-plugins
  qt6-translations-l10n libqt6sql6-sqlite
  libtorch-dev libdnnl-dev libopenblas0-openmp libjpeg-dev libicu-dev
  libsentencepiece-dev nlohmann-json3-dev libexiv2-dev exiv2
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  xvfb xauth imagemagick exiv2 icc-profiles-free python3
  clang libclang-rt-dev
  lintian
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# libopenblas0-pthread competes with OpenMP-based torch threads; the build pins the OpenMP variant by
# rpath, but warn when the pthread variant owns the system libblas alternative.
if [ "$(dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null)" = "install ok installed" ]; then
  echo "note: libopenblas0-pthread is installed; Glimpse binaries still load openblas-openmp via rpath" >&2
fi
echo "dependencies ok"
