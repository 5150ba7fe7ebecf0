#!/usr/bin/env bash
# libtorch only when a model is needed (docs/architecture.md, "The engine module"): the binaries do
# not link it, and `glimpse-cli --help`, `--version`, `library status`, `models list` and the app's
# window up to its first expose run without loading it (the dynamic loader's own log,
# LD_DEBUG=files, is the witness). `--version --verbose` loads the engine (it prints its BLAS and
# CPU kernels) through the module, and a missing module is a clear error naming where it was
# looked for.
# Usage: check-no-torch.sh GLIMPSE_CLI GLIMPSE_PHOTOS MODEL_DIR
set -euo pipefail
cli=$1
gui=$2
model=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME=$scratch/home XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data XDG_CACHE_HOME=$scratch/cache
export GLIMPSE_MODELS_DIR=$scratch/models QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME" "$GLIMPSE_MODELS_DIR/test"
cp -r "$model"/. "$GLIMPSE_MODELS_DIR/test/tiny"
fail=0

# The programs themselves link no libtorch.
for bin in "$cli" "$gui"; do
  if readelf -d "$bin" | grep -E "NEEDED.*(libtorch|libc10)" >/dev/null; then
    echo "error: $(basename "$bin") links libtorch: $(readelf -d "$bin" | grep -E 'libtorch|libc10' | tr -s ' ')" >&2
    fail=1
  fi
done

# run NAME EXPECT_TORCH(yes|no) COMMAND...: runs the command with the loader's log and checks
# whether libtorch_cpu was loaded.
run() {
  local name=$1 expect=$2
  shift 2
  local log=$scratch/ld.$name
  if ! LD_DEBUG=files LD_DEBUG_OUTPUT=$log "$@" >"$scratch/out.$name" 2>&1; then
    echo "error: $name failed:" >&2
    cat "$scratch/out.$name" >&2
    fail=1
    return
  fi
  local loaded=no
  if grep -q "file=libtorch_cpu.so" "$log".*; then loaded=yes; fi
  if [ "$loaded" != "$expect" ]; then
    echo "error: $name: libtorch loaded: $loaded, expected: $expect" >&2
    fail=1
  else
    echo "ok: $name (libtorch loaded: $loaded)"
  fi
}

run help no "$cli" --help
run command-help no "$cli" caption --help
run models-list no "$cli" models list
grep -q "test/tiny" "$scratch/out.models-list" || { echo "error: models list does not show test/tiny" >&2; fail=1; }
mkdir -p "$scratch/photos"
# Creates an empty library (and refuses the folder it does not hold).
"$cli" library forget "$scratch/photos" --library "$scratch/library.db" >/dev/null 2>&1 || true
run library-status no "$cli" library status --library "$scratch/library.db"
grep -q "photos" "$scratch/out.library-status" || { echo "error: library status printed no status" >&2; fail=1; }
# The window shows (first expose) before anything loads the engine; GLIMPSE_REPORT_WINDOW=quit
# quits there instead of warming the engine.
run window no env GLIMPSE_REPORT_WINDOW=quit "$gui"
grep -q "window exposed" "$scratch/out.window" || { echo "error: the window was never exposed" >&2; fail=1; }
# --version prints the program's line only; with --verbose it loads the engine through the module.
run version no "$cli" --version
grep -qx "glimpse-cli .* (Glimpse)" "$scratch/out.version" || { echo "error: --version printed no version line" >&2; fail=1; }
if grep -q "^BLAS: " "$scratch/out.version"; then echo "error: --version printed the engine's BLAS" >&2; fail=1; fi
run version-verbose yes "$cli" --version --verbose
grep -q "^BLAS: " "$scratch/out.version-verbose" || { echo "error: --version --verbose printed no BLAS line" >&2; fail=1; }

# A missing module: a clear error that names the file, exit code 3 (model error), no crash.
set +e
GLIMPSE_ENGINE_MODULE=$scratch/missing/libglimpse_engine.so "$cli" --version --verbose >"$scratch/out.missing" 2>&1
code=$?
set -e
if [ "$code" -ne 3 ] || ! grep -q "engine module (libglimpse_engine.so) could not be loaded; looked for $scratch/missing/libglimpse_engine.so" "$scratch/out.missing"; then
  echo "error: with a missing module, --version --verbose exited $code and said:" >&2
  cat "$scratch/out.missing" >&2
  fail=1
else
  echo "ok: missing module: $(grep -m1 'could not be loaded' "$scratch/out.missing")"
fi
exit "$fail"
