#!/usr/bin/env bash
# The test suite, exactly as CI runs it (after scripts/install-deps.sh):
#   1. the normal build and the whole meson test suite (UI tests under Xvfb),
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the parser fuzzers (libFuzzer, clang) for a short run each.
# Set TM_FUZZ_SECONDS to change the fuzzing time per target (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${TM_FUZZ_SECONDS:-30}

step () { printf '\n==== %s ====\n' "$*"; }

# A private PostgreSQL cluster (temporary folder, loopback port, trust auth) for the hub
# sync tests and benchmark; TM_TEST_PG_URL tells them where it is. Removed on exit.
eval "$(bash scripts/pg-test-cluster.sh start)"
trap 'bash scripts/pg-test-cluster.sh stop "$TM_TEST_PG_DIR"' EXIT

step "build and test"
[ -f build-ci/build.ninja ] || meson setup build-ci
# Everything, not only what the tests link: check-install installs the whole project
# (translations, man pages) from this build.
meson compile -C build-ci
meson test -C build-ci --print-errorlogs --num-processes 2

step "AddressSanitizer + UndefinedBehaviorSanitizer build and test"
[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-asan
# GTK and fontconfig keep caches for the life of the process: leak reports there are noise.
# The "slow" suite (whole-dataset evaluations) runs in the normal build only: its code paths
# are covered here by the smaller tests, and 4× slower it would dominate CI time.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
    --no-suite slow

step "fuzzers (${fuzz_seconds}s each)"
[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzzing=true -Dapp=false \
  -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-fuzz
for target in fuzz-x3p fuzz-tiff fuzz-png fuzz-package; do
  corpus=$(mktemp -d)
  cp fuzz/seeds/"${target#fuzz-}"/* "$corpus"/ 2>/dev/null || true
  echo "-- $target"
  build-fuzz/fuzz/$target -seed=1 -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -max_len=1048576 \
    -print_final_stats=1 -artifact_prefix="$corpus/" "$corpus" 2>&1 | tail -n 30
  rm -rf "$corpus"
done

# One closing line over both meson runs, in the plain form CI readers understand.
python3 - build-ci/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    for line in open(path):
        result = json.loads(line).get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
