#!/bin/bash
# The engine against the newest LibTorch C++ API this machine can reach: Debian's (sid by
# default) libtorch-dev and libtorch runtime packages, unpacked into a temporary folder (nothing
# is installed), the engine-only preset configured against them, and every LibTorch user of
# that build compiled (the engine, its tests, the engine benchmark). Fails on any compiler
# error or warning, deprecations included. Linking is not tried: a newer Debian's libraries
# need its newer C library. About 4 minutes on 2 cores, 70 MB downloaded.
#
#   tools/check-libtorch-api.sh [SUITE]      (default sid; e.g. trixie)
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:-sid}
mirror=http://deb.debian.org/debian
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-libtorch-api: $*" >&2; exit 1; }

echo "== newest libtorch-dev in Debian $suite"
curl -fsS "$mirror/dists/$suite/main/binary-amd64/Packages.xz" | xz -dc >"$work/Packages" ||
  fail "cannot read $mirror/dists/$suite (no such suite, or no network to Debian's registry)"
# Field $2 of a package's stanza (Package: $1).
field() { awk -v p="$1" -v f="$2:" '$1 == "Package:" { hit = ($2 == p) } hit && $1 == f { print $2; exit }' "$work/Packages"; }
version=$(field libtorch-dev Version)
[ -n "$version" ] || fail "Debian $suite has no libtorch-dev"
runtime=$(field libtorch-dev Depends)  # libtorch2.N, its first dependency
echo "libtorch-dev $version (runtime $runtime)"
for package in libtorch-dev "$runtime"; do
  file=$(field "$package" Filename)
  [ -n "$file" ] || fail "no package $package in Debian $suite"
  curl -fsS -o "$work/$package.deb" "$mirror/$file" || fail "cannot download $mirror/$file"
  dpkg-deb -x "$work/$package.deb" "$work/root"
done
torch_dir=$(dirname "$(find "$work/root" -name TorchConfig.cmake | head -1)")
[ -d "$torch_dir" ] || fail "the packages have no TorchConfig.cmake"

echo "== configure the engine-only preset against LibTorch $version"
cmake -S . -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFMC_BUILD_ENGINE_ONLY=ON \
  -DTorch_DIR="$torch_dir" -DCMAKE_PREFIX_PATH="$work/root/usr" >"$work/configure.log" 2>&1 ||
  { tail -30 "$work/configure.log"; fail "configure failed"; }
grep -E "LibTorch .*compile as" "$work/configure.log"

echo "== compile its LibTorch users"
objects=$(grep -oE '^build [^:]*\.cpp\.o' "$work/build/build.ninja" | sed 's/^build //' |
  grep -E 'fmc_engine\.dir/|tests/CMakeFiles/[^/]+\.dir/engine/|fedmedclip-engine-bench\.dir/')  # every engine test
[ -n "$objects" ] || fail "the build has no engine objects"
# shellcheck disable=SC2086  # one word per object
ninja -C "$work/build" -j"$(nproc)" $objects >"$work/build.log" 2>&1 ||
  { grep -E "error|warning" "$work/build.log" | head -30; fail "the engine does not compile against LibTorch $version"; }
if grep -E "warning:" "$work/build.log" >/dev/null; then
  grep -E "warning:" "$work/build.log" | head -20
  fail "warnings against LibTorch $version (above)"
fi
echo "check-libtorch-api: $(echo "$objects" | wc -w) objects compiled against LibTorch $version with no warning"
