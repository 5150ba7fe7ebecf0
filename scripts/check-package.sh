#!/usr/bin/env bash
# Builds the .deb from a configured build folder and checks it as Debian would: lintian (every
# tag, pedantic included, is a failure unless overridden with a reason in
# packaging/lintian-overrides), the Depends line against what the binaries link (each library a
# binary needs must come from a package in Depends), an install into a scratch root with dpkg -x,
# and the installed glimpse-cli --version --verbose. Usage: scripts/check-package.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -f "$build/CMakeCache.txt" ] || { echo "error: $build is not a configured build folder" >&2; exit 1; }

# Only what the package holds; cpack installs without building the rest.
cmake --build "$build" --target glimpse glimpse-cli glimpse_engine glimpse-doc glimpse-man glimpse-changelog
rm -f "$build"/glimpse-photos_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/glimpse-photos_*.deb)
echo "== $deb"
dpkg-deb --field "$deb" Package Version Depends Recommends Installed-Size

echo "== lintian"
lintian -I --pedantic --fail-on error,warning,info,pedantic "$deb"
echo "lintian: clean"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dpkg -x "$deb" "$scratch"
depends=$(dpkg-deb --field "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*)//; s/[[:space:]]//g' | sed '/^$/d')
for f in usr/bin/glimpse-photos usr/bin/glimpse-cli usr/share/man/man1/glimpse-cli.1.gz \
         usr/share/man/man1/glimpse-photos.1.gz usr/share/bash-completion/completions/glimpse-cli \
         usr/share/zsh/vendor-completions/_glimpse-cli usr/share/fish/vendor_completions.d/glimpse-cli.fish \
         usr/share/doc/glimpse-photos/copyright usr/share/doc/glimpse-photos/changelog.gz; do
  [ -e "$scratch/$f" ] || { echo "error: the package has no $f" >&2; exit 1; }
done

echo "== libraries of the installed binaries and the engine module against Depends"
fail=0
engine=$(ls "$scratch"/usr/lib*/glimpse/modules/libglimpse_engine.so 2>/dev/null | head -1)
[ -n "$engine" ] || { echo "error: the package has no glimpse/modules/libglimpse_engine.so" >&2; exit 1; }
for bin in "$scratch"/usr/bin/* "$engine"; do
  ldd_out=$(ldd "$bin")
  if grep -q "not found" <<<"$ldd_out"; then
    echo "error: $(basename "$bin"): $(grep "not found" <<<"$ldd_out" | tr -s ' \t' ' ')" >&2
    fail=1
  fi
  # libblas.so.3 comes with libtorch, which only the engine module links.
  extra=""
  [ "$bin" = "$engine" ] && extra=libblas.so.3
  for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') $extra; do
    # "libfoo.so.1 => /path (addr)", or for the dynamic loader "/lib64/ld-linux-x86-64.so.2 (addr)".
    path=$(awk -v l="$lib" '($1 == l && $2 == "=>") || substr($1, length($1) - length(l)) == "/" l {
      print ($2 == "=>" ? $3 : $1); exit }' <<<"$ldd_out")
    [ -n "$path" ] || { echo "error: $(basename "$bin"): $lib is not loaded" >&2; fail=1; continue; }
    owner=$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1) ||
      owner=$(dpkg-query -S "$path" 2>/dev/null | head -1 | cut -d: -f1) || true
    if [ -z "$owner" ]; then
      echo "error: $(basename "$bin"): no package owns $path ($lib)" >&2
      fail=1
    elif ! grep -qx "$owner" <<<"$depends"; then
      echo "error: $(basename "$bin"): $lib comes from $owner, which is not in Depends" >&2
      fail=1
    else
      printf '  %-16s %-28s %s\n' "$(basename "$bin")" "$lib" "$owner"
    fi
  done
done
# libtorch's GEMM goes through the OpenBLAS-OpenMP build the RPATH points to (cmake/Blas.cmake).
# Tests read captured output, never a pipe into grep -q: grep stops at the first match, the writer
# then dies of SIGPIPE, and pipefail turns a found line into a failure (ldd writes line by line).
grep -q "openblas-openmp/libblas.so.3" <<<"$(ldd "$engine")" ||
  { echo "error: the engine module does not load OpenBLAS-OpenMP" >&2; fail=1; }
# The programs themselves do not link libtorch (it loads with the engine module, on first use).
for bin in "$scratch"/usr/bin/*; do
  if grep -qE "NEEDED.*(libtorch|libc10)" <<<"$(readelf -d "$bin")"; then
    echo "error: $(basename "$bin") links libtorch" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] || exit 1

echo "== every Depends installable from the archive (apt-get -s)"
apt-get -s -q install --no-install-recommends "$(readlink -f "$deb")" >"$scratch/apt.log" 2>&1 ||
  { cat "$scratch/apt.log" >&2; exit 1; }
grep -E "^(Inst|Conf) glimpse-photos" "$scratch/apt.log"

echo "== installed glimpse-cli --version --verbose (loads the installed engine module, found beside the program)"
LD_DEBUG=files LD_DEBUG_OUTPUT="$scratch/ld" "$scratch/usr/bin/glimpse-cli" --version --verbose
grep -q "file=$engine " "$scratch"/ld.* ||
  { echo "error: glimpse-cli did not load the installed $engine" >&2; exit 1; }
QT_QPA_PLATFORM=offscreen "$scratch/usr/bin/glimpse-photos" --version
echo "package ok"
