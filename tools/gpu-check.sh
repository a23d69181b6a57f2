#!/bin/bash
# The engine on an NVIDIA GPU, in one go (about 5 minutes; at most 8): builds the engine-only
# preset against the LibTorch inside the Python PyTorch that has CUDA, runs the engine's tests
# with --device cuda, then the engine benchmark on the CPU and on CUDA, and prints images/s of
# the ViT-B/32-shaped image encoder and seconds per FedMedCLIP round side by side.
#
#   tools/gpu-check.sh [PYTHON]     (default python3; its torch must see a GPU)
#
# Exits non-zero, saying why, when there is no such PyTorch or no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
deadline=$((SECONDS + 480))
log=$(mktemp -d)/gpu-check
mkdir -p "$log"
fail() { echo "gpu-check: $*" >&2; exit 1; }
remaining() { local left=$((deadline - SECONDS)); [ "$left" -gt 10 ] || fail "out of the 8-minute budget"; echo "$left"; }

command -v nvidia-smi >/dev/null || fail "no nvidia-smi: this machine has no NVIDIA driver"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || fail "nvidia-smi sees no GPU"
"$python" -c 'import torch' 2>/dev/null || fail "$python has no torch (pip install torch with CUDA)"
read -r torch_version cuda_ok prefix < <("$python" -c \
  'import torch; print(torch.__version__, torch.cuda.is_available(), torch.utils.cmake_prefix_path)')
echo "PyTorch $torch_version, CUDA available: $cuda_ok, CMake files in $prefix"
[ "$cuda_ok" = True ] || fail "this PyTorch sees no GPU (a CPU-only wheel, or the driver is too old)"
# LibTorch's CMake files of a CUDA build look for the CUDA toolkit.
command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || fail "no nvcc: install the CUDA toolkit that matches PyTorch's CUDA"
export PATH=$PATH:/usr/local/cuda/bin

echo "== configure and build the engine-only preset (Release) against it"
timeout "$(remaining)" cmake --preset engine-only -DTorch_DIR="$prefix/Torch" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CUDA_ARCHITECTURES=native >"$log/configure.log" 2>&1 || { tail -30 "$log/configure.log"; fail "configure failed"; }
timeout "$(remaining)" cmake --build build-engine -j"$(nproc)" >"$log/build.log" 2>&1 || {
  grep -E "error|warning: .*deprecated" "$log/build.log" | head -30; fail "build failed ($log/build.log)"; }
if grep -q "deprecated" "$log/build.log"; then
  grep "deprecated" "$log/build.log" | head -20
  fail "the engine uses deprecated LibTorch calls (above)"
fi
echo "built with no deprecation warnings"

echo "== engine tests"
if [ -x build-engine/bin/tst_fedmedclipsite ]; then
  for test in "tst_fedmedclipsite --device cuda" tst_runtime tst_modelbundle; do
    QT_QPA_PLATFORM=offscreen timeout "$(remaining)" build-engine/bin/$test >"$log/${test%% *}.log" 2>&1 || {
      grep -E "FAIL|Totals|rror" "$log/${test%% *}.log" | head -20; fail "engine test $test failed"; }
    grep Totals "$log/${test%% *}.log" | sed "s/^/$test: /"
  done
else
  echo "Qt 6 Test is not installed (apt-get install qt6-base-dev): no engine tests built, skipping them"
fi

echo "== engine benchmark"
bench=build-engine/bin/fedmedclip-engine-bench
work=$(mktemp -d)
run() { timeout "$(remaining)" "$bench" "$@" --work-dir "$work"; }
run encode --device cpu --images 32 | tee "$log/encode-cpu.txt"
run encode --device cuda --images 64 | tee "$log/encode-cuda.txt"
run round --device cpu --rounds 3 --repeats 1 --python "$python" | tee "$log/round-cpu.txt"
run round --device cuda --rounds 3 --repeats 1 --no-peer | tee "$log/round-cuda.txt"

images_per_s() { sed -n 's/^image encoder .*: \([0-9.]*\) images\/s.*/\1/p' "$1" | head -1; }
round_s() { sed -n 's/^  engine round: *\([0-9.]*\) s.*/\1/p' "$1" | head -1; }
echo
echo "| | CPU | CUDA |"
echo "|---|---|---|"
echo "| ViT-B/32 image encoder, images/s | $(images_per_s "$log/encode-cpu.txt") | $(images_per_s "$log/encode-cuda.txt") |"
echo "| FedMedCLIP round (3 sites, D = 512), s | $(round_s "$log/round-cpu.txt") | $(round_s "$log/round-cuda.txt") |"
echo "gpu-check: done in $SECONDS s (logs in $log)"
