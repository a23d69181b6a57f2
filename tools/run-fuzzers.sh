#!/bin/sh
# Builds the libFuzzer harnesses (preset "fuzz": Debian's clang and libclang-rt-14-dev,
# build-fuzz/) and runs each for a chosen time, with ASan/UBSan and bounded memory.
#
#   tools/run-fuzzers.sh [seconds per harness, default 900] [harness names...]
#
# Each harness starts from its committed corpus (tests/fuzz/corpus/<name>), its regression
# inputs and, for the DICOM reader, the shared real DICOM files (../shared/data/dicom,
# read in place); what it finds goes to fuzz-work/<name>/ (new corpus, crash-* files), not
# into the repository. A crash ends that harness's run; the script exits non-zero when any
# harness crashed. Minimise a finding into tests/fuzz/regressions/<name>/ and fix it.
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-900}"
[ $# -gt 0 ] && shift
all="fam_codec dicom_reader image_loader tokenizer request_guard coordinator_routes protocol_json csv_reader bundle_manifest"
harnesses="${*:-$all}"

cmake --preset fuzz >/dev/null
targets=""
for name in $harnesses; do targets="$targets fuzz_$name"; done
cmake --build build-fuzz -j"${JOBS:-2}" --target $targets

export FMC_SHARED_DATA_DIR="${FMC_SHARED_DATA_DIR:-$(cd .. && pwd)/shared/data}"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export QT_QPA_PLATFORM=offscreen
failed=""
for name in $harnesses; do
    work="fuzz-work/$name"
    mkdir -p "$work/corpus"
    seeds="tests/fuzz/corpus/$name"
    [ -d "tests/fuzz/regressions/$name" ] && seeds="$seeds tests/fuzz/regressions/$name"
    [ "$name" = dicom_reader ] && [ -d "$FMC_SHARED_DATA_DIR/dicom" ] && seeds="$seeds $FMC_SHARED_DATA_DIR/dicom"
    echo "== $name: $seconds s"
    # -max_len: the DICOM seeds are up to a few MB; the others need no more than 64 kB.
    max_len=65536
    [ "$name" = dicom_reader ] && max_len=4194304
    [ "$name" = image_loader ] && max_len=1048576
    if ! build-fuzz/bin/fuzz_$name "$work/corpus" $seeds -max_total_time="$seconds" -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 -timeout=30 -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$work/" \
        2>"$work/log.txt"; then
        failed="$failed $name"
    fi
    grep -E "^stat::|cov:|^==.*ERROR|SUMMARY" "$work/log.txt" | tail -12
done
if [ -n "$failed" ]; then
    echo "crashed:$failed (see fuzz-work/<name>/)" >&2
    exit 1
fi
