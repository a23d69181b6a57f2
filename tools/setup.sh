#!/usr/bin/env bash
# One-step set-up on Debian 12: installs the Debian packages the project needs (only when
# one is missing), configures and builds. Idempotent: a second run only rebuilds what changed.
# Usage: tools/setup.sh [--configure-only]   (--configure-only: packages and configure, no build)
set -euo pipefail
cd "$(dirname "$0")/.."
configure_only=false
[[ ${1:-} == --configure-only ]] && configure_only=true

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp python3-torch python3-pil python3-regex
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n libqt6sql6-sqlite libqt6sql6-psql fonts-dejavu-core
  libdcmtk-dev libopencv-dev libopenjp2-7-dev libsqlite3-dev libssl-dev openssl
  nlohmann-json3-dev zlib1g-dev libdeflate-dev libutfcpp-dev
  nginx-light postgresql
  orthanc orthanc-dicomweb dcmtk qtkeychain-qt6-dev
  dpkg-dev file adduser desktop-file-utils appstream help2man lintian strace systemd
)

# orthanc/orthanc-dicomweb: the PACS tests start their own Orthanc (temporary config and
# storage, OS-chosen loopback ports) and never use the system service; dcmtk: dsrdump, which
# validates the DICOM SRs in the tests. python3-pil, python3-regex: the exporter's check
# against open_clip (tests/tools/test_export_bundle.py with FMC_OPEN_CLIP_SRC) decodes real
# images with Pillow and imports open_clip's tokenizer.

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}"
  # sudo resets the environment, so the front end is passed through env.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian starts Orthanc's system service on installation; the project does not use it.
  if [[ " ${missing[*]} " == *" orthanc "* ]] && [[ -d /run/systemd/system ]]; then
    $sudo systemctl disable --now orthanc >/dev/null 2>&1 || true
  fi
fi

# Debian's LibTorch calls the generic libblas.so.3: make sure it resolves to OpenBLAS,
# not the reference BLAS (~25x slower matrix products).
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
if [[ -n "$blas" && "$blas" != *openblas* ]]; then
  echo "warning: libblas.so.3 resolves to $blas, not OpenBLAS; see 'update-alternatives --config libblas.so.3-x86_64-linux-gnu'" >&2
fi

jobs=$(nproc)
if $configure_only; then
  cmake --preset default
  exit 0
fi
if [[ ! -f build/build.ninja ]]; then
  cmake --preset default
fi
cmake --build build -j"$jobs"
