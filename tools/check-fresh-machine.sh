#!/usr/bin/env bash
# Proves that a brand-new Debian 12 machine installs, builds and tests the project from the
# README alone: debootstraps a minimal bookworm (variant minbase) into a temporary folder,
# copies this checkout in (tracked and untracked files, no build trees), mounts /proc, /dev
# and /sys, and runs the README's test command (set-up, then every test) inside the chroot.
# Packages that were installed by hand on this machine do not help there.
#
# Usage (root): tools/check-fresh-machine.sh [--configure-only] [--keep] [--host-ccache]
#   --configure-only  stop after the packages are installed and the build is configured
#   --keep            keep the chroot folder afterwards (it is unmounted all the same)
#   --host-ccache     let the chroot's build use this machine's compiler cache (faster
#                     on 2 cores; it cannot hide a missing package: configure and linking
#                     run in full, and a cached object is reused only when every header
#                     it was built from is present in the chroot with the same content)
# The mirror is the one the host's apt sources name. ../shared (the real test data) is
# mounted read-only next to the copy, as on CI. Nothing stays mounted, even on Ctrl-C.
set -euo pipefail

configure_only=false
keep=false
host_ccache=false
for argument in "$@"; do
    case $argument in
        --configure-only) configure_only=true ;;
        --keep) keep=true ;;
        --host-ccache) host_ccache=true ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check-fresh-machine: unknown option '$argument' (see --help)" >&2; exit 2 ;;
    esac
done

[[ $(id -u) -eq 0 ]] || { echo "check-fresh-machine: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
source_dir=$(cd "$(dirname "$0")/.." && pwd)
shared_dir=$(cd "$source_dir/.." && pwd)/shared

# The README's test command (set-up and every test), exactly as written there.
test_command=$(awk '/^# 2\./ { getline; print; exit }' "$source_dir/README.md")
[[ $test_command == "bash tools/setup.sh && "* ]] || {
    echo "check-fresh-machine: README.md has no '# 2.' command starting with 'bash tools/setup.sh &&'" >&2; exit 1; }

# The host's Debian mirror (deb822 sources first, then the one-line format).
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[[ -n $mirror ]] || mirror=http://deb.debian.org/debian

if ! command -v debootstrap >/dev/null; then
    echo "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

root=$(mktemp -d /var/tmp/fedmedclip-fresh.XXXXXX)
# The chroot's / : apt's _apt user, PostgreSQL's and the tests' unprivileged users walk it.
chmod 0755 "$root"
mounts=()
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # Unmount in reverse order; a busy mount is detached (lazy) so nothing stays behind.
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
    done
    if grep -q " $root" /proc/mounts; then
        echo "check-fresh-machine: still mounted under $root:" >&2
        grep " $root" /proc/mounts >&2
        status=1
    elif $keep; then
        echo "chroot kept in $root"
    else
        rm -rf --one-file-system "$root"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started )) s"; }

echo "== debootstrap bookworm (minbase) from $mirror into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 || {
    tail -20 "$root.debootstrap.log" >&2; exit 1; }
rm -f "$root.debootstrap.log"
base_packages=$(chroot "$root" dpkg-query -W -f='.\n' | wc -l)
echo "   done after $(elapsed): $base_packages packages in the minimal system"

# The same suites as the host (updates and security), from the same mirrors.
if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
    cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
    : > "$root/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

mount_into() {  # OPTIONS SOURCE TARGET
    mkdir -p "$3"
    mount $1 "$2" "$3"
    mounts+=("$3")
}
mount_into "-t proc" proc "$root/proc"
mount_into "--rbind" /sys "$root/sys"
mount --make-rslave "$root/sys"
mount_into "--rbind" /dev "$root/dev"
mount --make-rslave "$root/dev"

# The checkout as a fresh clone would have it, plus uncommitted work; no build trees.
project="$root/work/project"
mkdir -p "$project"
(cd "$source_dir" && git ls-files -z --cached --others --exclude-standard) \
    | tar -C "$source_dir" --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -C "$project" -xf -
cp -a "$source_dir/.git" "$project/.git"
if [[ -d $shared_dir ]]; then
    mount_into "--bind" "$shared_dir" "$root/work/shared"
    mount -o remount,bind,ro "$root/work/shared"
else
    echo "   note: $shared_dir is absent; tests that need it will skip"
fi

if $host_ccache; then
    host_cache=$(ccache -k cache_dir 2>/dev/null || echo "$HOME/.cache/ccache")
    mkdir -p "$host_cache"
    mount_into "--bind" "$host_cache" "$root/root/.cache/ccache"
    echo "   using the host's compiler cache $host_cache"
fi

run_in_chroot() {
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 CI=true bash -c "cd /work/project && $1"
}

if $configure_only; then
    echo "== README set-up, configure only (tools/setup.sh --configure-only)"
    run_in_chroot "bash tools/setup.sh --configure-only"
else
    echo "== README test command: $test_command"
    run_in_chroot "$test_command"
fi
installed=$(chroot "$root" dpkg-query -W -f='.\n' | wc -l)
echo "== fresh-machine check passed after $(elapsed): $((installed - base_packages)) packages installed by the set-up"
