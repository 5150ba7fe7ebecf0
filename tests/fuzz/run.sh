#!/usr/bin/env bash
# Builds the `fuzz` preset and runs every fuzz target for SECONDS (default 20) from its seed corpus
# in tests/fuzz/corpus/<target>/, after replaying the reproducers in tests/fuzz/crashes/<target>/
# (they must stay fixed). Fails on any crash, sanitizer report, leak, timeout or out-of-memory,
# except a bug listed in tests/fuzz/crashes/OPEN (not fixed yet): its reproducer is not replayed,
# and a crash whose report contains its signature is reported as known, not as a failure (lines
# there: `target/reproducer | signature: text of the report | issue and place`). New inputs and
# crash files go to ${GLIMPSE_FUZZ_OUT:-build-fuzz/fuzz-out}/<target>/; the seeds are only read.
# GLIMPSE_FUZZ_NO_BUILD=1 runs the targets already built.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      e.g. tests/fuzz/run.sh 300 pickle safetensors
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true

# Longest input per target (bytes): a little over the largest seed, so mutations stay near real files.
declare -A max_len=(
  [image_jpeg]=32768 [image_png]=32768 [image_gif]=16384 [image_bmp]=16384 [image_webp]=16384
  [image_tiff]=16384 [image_svg]=16384 [pickle]=32768 [pytorch_bin]=16384 [safetensors]=8192
  [config]=16384 [preprocessor_config]=4096 [tokenizer]=32768 [hub_api]=8192 [library]=65536 [measurement]=4096
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(image_jpeg image_png image_gif image_bmp image_webp image_tiff image_svg
                                     pickle pytorch_bin safetensors config preprocessor_config tokenizer hub_api library
                                     measurement)

if [ -z "${GLIMPSE_FUZZ_NO_BUILD:-}" ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz --target fuzzers
fi

out=${GLIMPSE_FUZZ_OUT:-build-fuzz/fuzz-out}
mkdir -p "$out"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
export QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1

open_list=tests/fuzz/crashes/OPEN
# open_field TARGET N: field N (1 reproducer, 2 signature) of TARGET's lines in OPEN, one a line.
open_field() {
  [ -f "$open_list" ] || return 0
  grep -v '^#' "$open_list" | awk -F' *[|] *' -v t="$1/" -v n="$2" 'index($1, t) == 1 { print (n == 1 ? substr($1, length(t) + 1) : $2) }'
}
failed=()
known_hits=0
for t in "${targets[@]}"; do
  bin=build-fuzz/tests/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "error: no fuzz target $t ($bin)" >&2; exit 2; }
  work="$out/$t"
  mkdir -p "$work/corpus" "$work/artifacts"
  # Known crashes that are fixed must stay fixed.
  replay=()
  if [ -d "tests/fuzz/crashes/$t" ]; then
    for f in "tests/fuzz/crashes/$t"/*; do
      [ -f "$f" ] || continue
      if grep -qxF "$(basename "$f")" <<<"$(open_field "$t" 1)"; then
        echo "  $t: skipping open $(basename "$f")"
        continue
      fi
      replay+=("$f")
    done
  fi
  if [ ${#replay[@]} -gt 0 ] && ! "$bin" -rss_limit_mb=2048 -timeout=60 "${replay[@]}" >"$work/replay.log" 2>&1; then
    echo "FAIL $t: a fixed crash came back (see $work/replay.log)"
    tail -n 30 "$work/replay.log"
    failed+=("$t")
    continue
  fi
  start=$(date +%s)
  if "$bin" -max_total_time="$seconds" -max_len="${max_len[$t]:-16384}" -rss_limit_mb=2048 -timeout=30 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "tests/fuzz/corpus/$t" \
      >"$work/fuzz.log" 2>&1; then
    stats=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$work/fuzz.log" | tail -n 1)
    echo "ok   $t ($(( $(date +%s) - start )) s): $stats"
  else
    known=""
    while IFS= read -r sig; do
      [ -n "$sig" ] && grep -qF -- "$sig" "$work/fuzz.log" && known="$sig" && break
    done < <(open_field "$t" 2)
    if [ -n "$known" ]; then
      known_hits=$((known_hits + 1))
      echo "known $t ($(( $(date +%s) - start )) s): an open bug of tests/fuzz/crashes/OPEN (\"$known\"); see $work/fuzz.log"
    else
      echo "FAIL $t: see $work/fuzz.log and $work/artifacts/"
      grep -m 10 -E 'ERROR|SUMMARY|Test unit written' "$work/fuzz.log" || true
      failed+=("$t")
    fi
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing: no new crashes in ${#targets[@]} targets, ${seconds} s each ($known_hits stopped early on an open bug)"
