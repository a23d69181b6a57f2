#!/usr/bin/env bash
# The Debian packages end to end, as a hospital's IT department would meet them:
#   1. cpack builds fedmedclip-desktop, fedmedclip-coordinator and fedmedclip-site-agent
#      into a temporary folder;
#   2. their control data, permissions, Depends and files are checked (owners, modes,
#      no RPATH, no build path, stripped, man pages), and lintian finds no error and no
#      warning (but initial-upload-closes-no-bugs);
#   3. apt installs all three; the installed binaries run with a clean environment:
#      --version, the offline demo federation, the coordinator as its service user from
#      its installed config and unit on 127.0.0.1 with an openssl-made certificate (traced:
#      no system call that the unit's SystemCallFilter refuses, no writable and executable
#      memory, as MemoryDenyWriteExecute demands), a site joining it with an enrollment
#      code, the site agent's unit command as its user, the desktop app offscreen;
#   4. apt purges all three; nothing may be left but the services' state directories.
#
# Usage: package_test.sh BUILD_DIR SOURCE_DIR VERSION   (CTest passes them)
# Installing needs root: run as another user, on a machine without dpkg/apt, or where
# the packages or the coordinator's state already exist, it skips (exit 77) and says why.
set -euo pipefail
umask 022

build_dir=$(realpath "$1")
source_dir=$(realpath "$2")
version=$3

readonly site_package=fedmedclip-desktop
readonly coordinator_package=fedmedclip-coordinator
readonly agent_package=fedmedclip-site-agent
readonly service_user=fedmedclip-coordinator
readonly agent_user=fedmedclip-site
readonly agent_state_dir=/var/lib/fedmedclip-site
readonly agent_unit_file=/usr/lib/systemd/system/fedmedclip-site-agent.service
readonly state_dir=/var/lib/fedmedclip-coordinator
readonly config_dir=/etc/fedmedclip-coordinator
readonly unit_file=/usr/lib/systemd/system/fedmedclip-coordinator.service
readonly coordinator_url=https://127.0.0.1:8443

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
test_started=$(date +%s.%N)
step() { printf '[%6.1f s] %s\n' "$(awk -v a="$test_started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" "$*"; }

# --- May this machine be changed? ----------------------------------------------------------
[[ $(id -u) -eq 0 ]] || skip "installing the packages needs root (CI runs this as root on a throwaway machine)"
for tool in apt-get dpkg dpkg-deb cpack openssl readelf strings setpriv lintian strace systemd-analyze; do
    command -v "$tool" >/dev/null || skip "'$tool' is not available on this machine"
done
for package in "$site_package" "$coordinator_package" "$agent_package"; do
    if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -qv "not-installed"; then
        skip "$package is already on this machine; this test would remove it"
    fi
done
[[ ! -e $state_dir ]] || skip "$state_dir exists (a coordinator's state); this test leaves it alone"
[[ ! -e $agent_state_dir ]] || skip "$agent_state_dir exists (a site agent's workspace); this test leaves it alone"
[[ ! -e $config_dir ]] || skip "$config_dir exists (a coordinator's configuration); this test leaves it alone"
[[ -f $build_dir/CPackConfig.cmake ]] || fail "$build_dir/CPackConfig.cmake is missing: configure the build first"
if (exec 3<>/dev/tcp/127.0.0.1/8443) 2>/dev/null; then
    fail "127.0.0.1:8443 is in use; the installed coordinator configuration listens there"
fi

# --- Clean-up, whatever happens -------------------------------------------------------------
work=$(mktemp -d -t fedmedclip-package-test.XXXXXX)
# The service user reads the demo bundle's manifest from here; apt's _apt user the .debs.
chmod 0755 "$work"
user_existed=false
getent passwd "$service_user" >/dev/null && user_existed=true
agent_user_existed=false
getent passwd "$agent_user" >/dev/null && agent_user_existed=true
coordinator_pid=""
installed=false
cleanup() {
    local status=$?
    if [[ -n $coordinator_pid ]] && kill -0 "$coordinator_pid" 2>/dev/null; then
        kill -TERM "$coordinator_pid" 2>/dev/null || true
        wait "$coordinator_pid" 2>/dev/null || true
    fi
    # Whatever still runs as the users this test created (a coordinator the checks above gave
    # up on, a site agent): nothing of the test may outlive it and hold its port.
    local created=()
    $user_existed || created+=("$service_user")
    $agent_user_existed || created+=("$agent_user")
    for user in "${created[@]}"; do
        pkill -TERM -u "$user" 2>/dev/null && sleep 1
        pkill -KILL -u "$user" 2>/dev/null || true
    done
    if $installed; then
        DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q "$site_package" "$coordinator_package" \
            "$agent_package" >/dev/null 2>&1 || true
    fi
    rm -rf "$state_dir" "$agent_state_dir"
    if ! $agent_user_existed && getent passwd "$agent_user" >/dev/null; then
        deluser --quiet --system "$agent_user" >/dev/null 2>&1 || userdel "$agent_user" || true
        getent group "$agent_user" >/dev/null && { groupdel "$agent_user" || true; }
    fi
    if ! $user_existed && getent passwd "$service_user" >/dev/null; then
        deluser --quiet --system "$service_user" >/dev/null 2>&1 || userdel "$service_user" || true
        getent group "$service_user" >/dev/null && { groupdel "$service_user" || true; }
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

# A clean environment: nothing from the build (FMC_RESOURCE_DIR, LD_LIBRARY_PATH, ...) helps.
home="$work/home"
mkdir -p "$home"
run_clean() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" LANG=C.UTF-8 OMP_WAIT_POLICY=PASSIVE "$@"
}
# As the systemd unit runs it: its user and group, its umask, its state directory as working folder.
service_identity=(setpriv --reuid="$service_user" --regid="$service_user" --init-groups
                  env -i PATH=/usr/bin:/bin HOME="$state_dir" LANG=C.UTF-8)
as_service() { (cd "$state_dir" && umask 0027 && exec "${service_identity[@]}" "$@"); }

# --- 1. Build the packages ------------------------------------------------------------------
step "cpack: building the packages from $build_dir"
mkdir -p "$work/packages"
if ! cpack --config "$build_dir/CPackConfig.cmake" -B "$work/packages" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    fail "cpack could not build the packages"
fi
arch=$(dpkg --print-architecture)
shopt -s nullglob
site_debs=("$work/packages/${site_package}_${version}"-*"_${arch}.deb")
coordinator_debs=("$work/packages/${coordinator_package}_${version}"-*"_${arch}.deb")
shopt -u nullglob
[[ ${#site_debs[@]} -eq 1 ]] || fail "expected one ${site_package}_${version}-N_${arch}.deb, cpack made: $(ls "$work/packages")"
[[ ${#coordinator_debs[@]} -eq 1 ]] || fail "expected one ${coordinator_package}_${version}-N_${arch}.deb, cpack made: $(ls "$work/packages")"
shopt -s nullglob
agent_debs=("$work/packages/${agent_package}_${version}"-*"_all.deb")
shopt -u nullglob
[[ ${#agent_debs[@]} -eq 1 ]] || fail "expected one ${agent_package}_${version}-N_all.deb, cpack made: $(ls "$work/packages")"
site_deb=${site_debs[0]}
coordinator_deb=${coordinator_debs[0]}
agent_deb=${agent_debs[0]}
step "built $(basename "$site_deb") ($(du -k "$site_deb" | cut -f1) KiB), $(basename "$coordinator_deb") ($(du -k "$coordinator_deb" | cut -f1) KiB), $(basename "$agent_deb")"

# Debian's own quality bar.
lintian_report=$(lintian --tag-display-limit 0 --suppress-tags initial-upload-closes-no-bugs --fail-on none \
                 "$site_deb" "$coordinator_deb" "$agent_deb" 2>&1) || fail "lintian did not run: $lintian_report"
[[ -z $lintian_report ]] || echo "$lintian_report"
if grep -qE '^[EW]: ' <<<"$lintian_report"; then
    fail "lintian: $(grep -cE '^E: ' <<<"$lintian_report" || true) error(s), $(grep -cE '^W: ' <<<"$lintian_report" || true) warning(s)"
fi
step "lintian: no errors, no warnings ($(grep -cE '^[IP]: ' <<<"$lintian_report" || true) informational tags)"

# --- 2. What is in them ---------------------------------------------------------------------
check_control() {  # DEB PACKAGE REQUIRED_DEPENDS... ; FORBIDDEN via NOT:name
    local deb=$1 package=$2
    shift 2
    [[ $(dpkg-deb -f "$deb" Package) == "$package" ]] || fail "$deb: Package is not $package"
    local version_pattern="^${version//./\\.}-[0-9]+$"
    [[ $(dpkg-deb -f "$deb" Version) =~ $version_pattern ]] \
        || fail "$deb: Version $(dpkg-deb -f "$deb" Version) is not $version-N"
    [[ -n $(dpkg-deb -f "$deb" Maintainer) ]] || fail "$deb: no Maintainer"
    local depends
    depends=$(dpkg-deb -f "$deb" Depends)
    echo "  $package Depends: $depends"
    for need in "$@"; do
        if [[ $need == NOT:* ]]; then
            if grep -qE "(^|[ ,|])${need#NOT:}" <<<"$depends"; then fail "$deb: must not depend on ${need#NOT:}"; fi
        elif ! grep -qE "(^|[ ,|])${need}([ ,(]|$)" <<<"$depends"; then
            fail "$deb: Depends lacks $need"
        fi
    done
}
check_control "$site_deb" "$site_package" libopenblas0-openmp 'libtorch[0-9.]*' libqt6widgets6 libqt6charts6 \
    libqt6network6 'libopencv-core[0-9.]*' 'libdcmtk[0-9]*' libc6
check_control "$coordinator_deb" "$coordinator_package" adduser libqt6sql6-sqlite libqt6httpserver6 \
    libqt6network6 libc6 'NOT:libtorch'

check_contents() {  # DEB: owners, modes, required files
    local deb=$1 listing
    listing=$(dpkg-deb -c "$deb")
    local bad
    bad=$(awk '$2 != "root/root"' <<<"$listing")
    [[ -z $bad ]] || fail "$deb: entries not owned by root/root:"$'\n'"$bad"
    bad=$(awk '$1 ~ /^d/ && $1 != "drwxr-xr-x"' <<<"$listing")
    [[ -z $bad ]] || fail "$deb: directories not 0755:"$'\n'"$bad"
    bad=$(awk '$1 ~ /^-/ && $6 ~ /^\.\/usr\/bin\// && $1 != "-rwxr-xr-x"' <<<"$listing")
    [[ -z $bad ]] || fail "$deb: executables not 0755:"$'\n'"$bad"
    bad=$(awk '$1 ~ /^-/ && $6 !~ /^\.\/usr\/bin\// && $1 != "-rw-r--r--"' <<<"$listing")
    [[ -z $bad ]] || fail "$deb: data files not 0644:"$'\n'"$bad"
    bad=$(awk '$1 !~ /^[-d]/' <<<"$listing")
    [[ -z $bad ]] || fail "$deb: entries that are neither files nor folders:"$'\n'"$bad"
    local package
    package=$(dpkg-deb -f "$deb" Package)
    for file in "usr/share/doc/$package/copyright" "usr/share/doc/$package/changelog.Debian.gz"; do
        grep -q " \./$file$" <<<"$listing" || fail "$deb: $file is missing"
    done
}
check_control "$agent_deb" "$agent_package" "$site_package" adduser
check_contents "$site_deb"
check_contents "$coordinator_deb"
check_contents "$agent_deb"
site_listing=$(dpkg-deb -c "$site_deb")
coordinator_listing=$(dpkg-deb -c "$coordinator_deb")
agent_listing=$(dpkg-deb -c "$agent_deb")
for file in usr/lib/systemd/system/fedmedclip-site-agent.service etc/fedmedclip-site-agent/site-agent.conf; do
    grep -qF " ./$file" <<<"$agent_listing" || fail "$agent_deb: $file is missing"
done
for file in usr/share/man/man1/fedmedclip-desktop.1.gz usr/share/man/man1/fedmedclip-cli.1.gz; do
    grep -qF " ./$file" <<<"$site_listing" || fail "$site_deb: $file is missing"
done
grep -qF " ./usr/share/man/man1/fedmedclip-coordinator.1.gz" <<<"$coordinator_listing" \
    || fail "$coordinator_deb: its man page is missing"
for file in usr/bin/fedmedclip-desktop usr/bin/fedmedclip-cli usr/share/fedmedclip/clip/bpe_simple_vocab_16e6.txt.gz \
            usr/share/fedmedclip/clip/CLIP-LICENSE usr/share/applications/org.fedmedclip.FedMedCLIP.desktop \
            usr/share/metainfo/org.fedmedclip.FedMedCLIP.metainfo.xml \
            usr/share/icons/hicolor/scalable/apps/org.fedmedclip.FedMedCLIP.svg \
            usr/share/icons/hicolor/128x128/apps/org.fedmedclip.FedMedCLIP.png; do
    grep -qF " ./$file" <<<"$site_listing" || fail "$site_deb: $file is missing"
done
for file in usr/bin/fedmedclip-coordinator etc/fedmedclip-coordinator/coordinator.json \
            usr/lib/systemd/system/fedmedclip-coordinator.service \
            usr/share/fedmedclip-coordinator/nginx/fedmedclip-coordinator.conf; do
    grep -qF " ./$file" <<<"$coordinator_listing" || fail "$coordinator_deb: $file is missing"
done
if grep -qF ' ./usr/bin/fedmedclip-desktop' <<<"$coordinator_listing"; then fail "$coordinator_deb: holds the desktop app"; fi
if grep -qF ' ./usr/bin/fedmedclip-coordinator' <<<"$site_listing"; then fail "$site_deb: holds the coordinator"; fi

# Control archive: maintainer scripts 0755, the config a conffile.
dpkg-deb --ctrl-tarfile "$coordinator_deb" | tar -tvf - >"$work/control.txt"
for script in postinst prerm postrm; do
    grep -qE "^-rwxr-xr-x .* \./$script$" "$work/control.txt" || fail "$coordinator_deb: $script is not an 0755 script"
done
[[ $(dpkg-deb -I "$coordinator_deb" conffiles) == /etc/fedmedclip-coordinator/coordinator.json ]] \
    || fail "$coordinator_deb: coordinator.json is not its one conffile"

# Executables: no RPATH/RUNPATH, stripped, no build or source path anywhere in the packages.
for deb in "$site_deb" "$coordinator_deb"; do
    root="$work/extracted/$(dpkg-deb -f "$deb" Package)"
    mkdir -p "$root"
    dpkg-deb -x "$deb" "$root"
    for binary in "$root"/usr/bin/*; do
        dynamic=$(readelf -d "$binary")
        if grep -qE '\((RPATH|RUNPATH)\)' <<<"$dynamic"; then
            fail "$(basename "$binary"): has an RPATH/RUNPATH: $(grep -E 'RPATH|RUNPATH' <<<"$dynamic")"
        fi
        if [[ $(readelf -S "$binary") == *.debug_info* ]]; then fail "$(basename "$binary"): not stripped"; fi
    done
    # In 8-bit strings and in UTF-16 ones (QStringLiteral).
    while IFS= read -r -d '' file; do
        for path in "$source_dir" "$build_dir"; do
            if grep -qF "$path" "$file" || [[ $(strings -a -e l "$file" | grep -cF "$path" || true) -gt 0 ]]; then
                fail "${file#"$root"}: the build path $path is baked in"
            fi
        done
    done < <(find "$root" -type f -print0)
done
step "package contents, permissions and Depends checked"

# --- 3. Install and run ---------------------------------------------------------------------
step "apt-get install ./$(basename "$site_deb") ./$(basename "$coordinator_deb")"
installed=true
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$site_deb" "$coordinator_deb" \
        "$agent_deb" >"$work/apt-install.log" 2>&1; then
    cat "$work/apt-install.log"
    fail "apt-get could not install the packages"
fi
dpkg -L "$site_package" "$coordinator_package" "$agent_package" | sort -u >"$work/installed-files.txt"
step "installed ($(wc -l <"$work/installed-files.txt") paths)"

getent passwd "$service_user" | grep -q ":$state_dir:/usr/sbin/nologin$" \
    || fail "system user $service_user: $(getent passwd "$service_user" || echo missing)"
expect_stat() {  # PATH OWNER:GROUP MODE
    local actual
    actual=$(stat -c '%U:%G %a' "$1")
    [[ $actual == "$2 $3" ]] || fail "$1 is $actual, expected $2 $3"
}
expect_stat "$state_dir" "$service_user:$service_user" 750
expect_stat "$config_dir/tls" "root:$service_user" 750
expect_stat "$config_dir/coordinator.json" "root:$service_user" 640
[[ -L /etc/systemd/system/multi-user.target.wants/fedmedclip-coordinator.service ]] \
    || fail "the unit was not enabled (no multi-user.target.wants link)"
getent passwd "$agent_user" | grep -q ":$agent_state_dir:/usr/sbin/nologin$" \
    || fail "system user $agent_user: $(getent passwd "$agent_user" || echo missing)"
expect_stat "$agent_state_dir" "$agent_user:$agent_user" 750
[[ -L /etc/systemd/system/multi-user.target.wants/fedmedclip-site-agent.service ]] \
    || fail "the site agent's unit was not enabled"
systemd-analyze verify "$unit_file" "$agent_unit_file" || fail "systemd-analyze verify"
man -w fedmedclip-cli fedmedclip-desktop fedmedclip-coordinator >/dev/null 2>&1 || [[ ! -x /usr/bin/man ]] \
    || fail "man does not find the installed man pages"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/org.fedmedclip.FedMedCLIP.desktop || fail "desktop-file-validate"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net /usr/share/metainfo/org.fedmedclip.FedMedCLIP.metainfo.xml >/dev/null \
        || fail "appstreamcli validate"
fi

# Every executable prints the same version.
for program in fedmedclip-cli fedmedclip-coordinator fedmedclip-desktop; do
    printed=$(run_clean QT_QPA_PLATFORM=offscreen "/usr/bin/$program" --version 2>/dev/null) \
        || fail "$program --version failed"
    [[ $printed == "$program $version" ]] || fail "$program --version printed '$printed', expected '$program $version'"
done
step "--version: fedmedclip-cli, fedmedclip-coordinator, fedmedclip-desktop all print $version"

# The offline demo federation, with the installed vocabulary.
if ! run_clean fedmedclip-cli demo --work "$work/cli-demo" --rounds 3 >"$work/demo.log" 2>&1; then
    cat "$work/demo.log"
    fail "fedmedclip-cli demo failed"
fi
grep -q "This was a DEMO" "$work/demo.log" || { cat "$work/demo.log"; fail "the demo did not finish"; }
[[ -s $work/cli-demo/results.json ]] || fail "the demo wrote no $work/cli-demo/results.json"
step "fedmedclip-cli demo --rounds 3, held-out site: $(grep -A1 '^held-out' "$work/demo.log" | tail -1 | tr -s ' ')"

# The coordinator, from its installed configuration, as its unit starts it.
mkdir -p "$work/tls"
(
    cd "$work/tls"
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj "/CN=FedMedCLIP package test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost"
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext
) >"$work/openssl.log" 2>&1 || { cat "$work/openssl.log"; fail "openssl could not make the test certificates"; }
# As docs/operators.md tells operators to.
install -m 0644 -o root -g root "$work/tls/server.pem" "$config_dir/tls/coordinator.pem"
install -m 0640 -o root -g "$service_user" "$work/tls/server.key" "$config_dir/tls/coordinator.key"

unit_user=$(sed -n 's/^User=//p' "$unit_file")
# The unit's Environment= settings, as systemd passes them.
mapfile -t unit_environment < <(sed -n 's/^Environment=//p' "$unit_file")
service_identity+=("${unit_environment[@]}")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit_file")
[[ $unit_user == "$service_user" ]] || fail "$unit_file: User=$unit_user, expected $service_user"
[[ -n $exec_start ]] || fail "$unit_file: no ExecStart"
read -r -a exec_start_words <<<"$exec_start"
# exec all the way down, under strace: its child is the coordinator itself, which the SIGTERM
# below must reach; the trace shows every system call the unit's filter would judge.
(cd "$state_dir" && umask 0027 && exec strace -f -qq -o "$work/coordinator.strace" \
    "${service_identity[@]}" "${exec_start_words[@]}") >"$work/coordinator.log" 2>&1 &
tracer_pid=$!
for _ in $(seq 1 50); do
    coordinator_pid=$(pgrep -P "$tracer_pid" || true)
    [[ -n $coordinator_pid ]] && break
    sleep 0.1
done
[[ -n $coordinator_pid ]] || fail "the coordinator did not start under strace"
for _ in $(seq 1 150); do
    grep -q "listening on $coordinator_url" "$work/coordinator.log" && break
    if ! kill -0 "$coordinator_pid" 2>/dev/null; then
        # What it did last and how it ended (an intermittent exit here is not yet explained).
        # Seen once: the coordinator's pid gone while the tracer (and a coordinator under it)
        # still ran; waiting for the tracer then hung the test, so say so and fail instead.
        if kill -0 "$tracer_pid" 2>/dev/null; then
            cat "$work/coordinator.log"
            fail "the coordinator's pid $coordinator_pid is gone but strace still runs (its children now: $(pgrep -P "$tracer_pid" | tr '\n' ' '))"
        fi
        exit_status=0
        wait "$tracer_pid" || exit_status=$?
        cat "$work/coordinator.log"
        tail -n 40 "$work/coordinator.strace" 2>/dev/null || true
        fail "the coordinator exited at start (strace exit status $exit_status, pid $coordinator_pid)"
    fi
    sleep 0.2
done
grep -q "listening on $coordinator_url" "$work/coordinator.log" || { cat "$work/coordinator.log"; fail "the coordinator did not start within 30 s"; }
step "coordinator: $(head -1 "$work/coordinator.log")"

config="$config_dir/coordinator.json"
federation_id=$(as_service fedmedclip-coordinator create-federation --config "$config" --name "Package test" \
    --classes "benign,malignant" --bundle-manifest "$work/cli-demo/bundle-demo-tiny/manifest.json" --rounds 1) \
    || fail "create-federation failed"
code=$(as_service fedmedclip-coordinator issue-code --config "$config" --federation "$federation_id" \
    --site "Package test hospital" --valid-hours 1) || fail "issue-code failed"
if ! run_clean fedmedclip-cli site join "$work/site" --coordinator "$coordinator_url" --code "$code" \
        --ca "$work/tls/ca.pem" >"$work/join.log" 2>&1; then
    cat "$work/join.log" "$work/coordinator.log"
    fail "fedmedclip-cli site join failed"
fi
grep -q "joined federation $federation_id" "$work/join.log" || { cat "$work/join.log"; fail "site join did not report the federation"; }
as_service fedmedclip-coordinator audit-log --config "$config" --federation "$federation_id" | grep -q "site.enrolled" \
    || fail "the audit log has no site.enrolled entry"
expect_stat "$state_dir/state.sqlite" "$service_user:$service_user" 640
# MemoryDenyWriteExecute=yes refuses writable+executable mappings: the coordinator has none.
wx_maps=$(awk '$2 ~ /^.wx/' "/proc/$coordinator_pid/maps")
[[ -z $wx_maps ]] || fail "the coordinator maps writable and executable memory (MemoryDenyWriteExecute would refuse):"$'\n'"$wx_maps"
kill -TERM "$coordinator_pid"
coordinator_status=0
wait "$tracer_pid" || coordinator_status=$?
coordinator_pid=""
[[ $coordinator_status -eq 0 ]] || { cat "$work/coordinator.log"; fail "the coordinator exited with $coordinator_status on SIGTERM"; }
grep -q "fedmedclip-coordinator: stopped" "$work/coordinator.log" || fail "the coordinator did not stop cleanly"
step "a site joined federation $federation_id over TLS; the coordinator stopped cleanly on SIGTERM"

# The unit's SystemCallFilter: every call the coordinator made (after its exec; setpriv's
# own calls are systemd's work under the unit) is in @system-service and none in
# @privileged or @resources.
expand_syscall_group() {  # @GROUP -> its system calls, nested groups expanded
    local entry
    for entry in $(systemd-analyze syscall-filter "$1" | awk 'NR > 1 && $1 !~ /^#/ { print $1 }'); do
        if [[ $entry == @* ]]; then expand_syscall_group "$entry"; else echo "$entry"; fi
    done
}
used_syscalls=$(awk -v exe="execve(\"/usr/bin/fedmedclip-coordinator\"" '
    index($0, exe) { started = 1 }
    started && match($0, /^[0-9]+ +[a-z0-9_]+\(/) { s = substr($0, RSTART, RLENGTH); sub(/^[0-9]+ +/, "", s); sub(/\($/, "", s); print s }
' "$work/coordinator.strace" | sort -u)
[[ -n $used_syscalls ]] || fail "the strace of the coordinator shows no system call after its exec"
allowed=$(expand_syscall_group @system-service | sort -u)
refused=$( (expand_syscall_group @privileged; expand_syscall_group @resources) | sort -u)
outside=$(comm -23 <(echo "$used_syscalls") <(echo "$allowed"))
denied=$(comm -12 <(echo "$used_syscalls") <(echo "$refused"))
[[ -z $outside ]] || fail "the coordinator calls system calls outside @system-service: $(echo $outside)"
[[ -z $denied ]] || fail "the coordinator calls system calls the unit refuses (@privileged/@resources): $(echo $denied)"
step "the coordinator's $(wc -l <<<"$used_syscalls") distinct system calls all pass the unit's SystemCallFilter; no W+X memory"

# The site agent's unit command, as its user, on its workspace: it gets as far as the
# workspace's images (none here) and says so.
agent_exec=$(sed -n 's/^ExecStart=//p' "$agent_unit_file")
agent_workspace=$(awk '{ print $4 }' <<<"$agent_exec")
[[ $agent_workspace == "$agent_state_dir/workspace" ]] || fail "$agent_unit_file: unexpected ExecStart $agent_exec"
agent_identity=(setpriv --reuid="$agent_user" --regid="$agent_user" --init-groups
                env -i PATH=/usr/bin:/bin HOME="$agent_state_dir" LANG=C.UTF-8)
(cd "$agent_state_dir" && umask 0027 && exec "${agent_identity[@]}" fedmedclip-cli site run "$agent_workspace") \
    >"$work/agent.log" 2>&1 && fail "site run on a workspace that never joined succeeded"
grep -q "not enrolled" "$work/agent.log" || { cat "$work/agent.log"; fail "the site agent did not say the workspace has not joined"; }
step "site agent unit command as $agent_user: $(tail -1 "$work/agent.log")"

# The desktop app offscreen: prepares the demo workspace, saves a screenshot of every page, quits.
if ! run_clean QT_QPA_PLATFORM=offscreen timeout 600 fedmedclip-desktop --demo --demo-dir "$work/desktop-demo" \
        --demo-rounds 1 --screenshots "$work/screenshots" >"$work/desktop.log" 2>&1; then
    cat "$work/desktop.log"
    fail "fedmedclip-desktop did not quit cleanly"
fi
if grep -qE "QThread: Destroyed|Segmentation|Aborted|terminate called" "$work/desktop.log"; then
    cat "$work/desktop.log"
    fail "fedmedclip-desktop did not shut down cleanly"
fi
screenshots=$(find "$work/screenshots" -name '*.png' | wc -l)
[[ $screenshots -gt 0 ]] || { cat "$work/desktop.log"; fail "fedmedclip-desktop saved no screenshot"; }
step "fedmedclip-desktop offscreen: demo workspace opened, $screenshots pages saved, quit with status 0"

# --- 4. Purge: nothing may be left but the coordinator's state --------------------------------
if ! DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -q "$site_package" "$coordinator_package" \
        "$agent_package" >"$work/apt-remove.log" 2>&1; then
    cat "$work/apt-remove.log"
    fail "apt-get remove --purge failed"
fi
installed=false
for package in "$site_package" "$coordinator_package" "$agent_package"; do
    if dpkg -L "$package" >/dev/null 2>&1; then fail "dpkg still lists $package after the purge"; fi
done
leftovers=()
while IFS= read -r path; do
    [[ -e $path || -L $path ]] || continue
    # Shared folders (/usr/bin, /usr/share/doc, ...) stay while they hold others' files.
    if [[ -d $path && ! -L $path ]]; then
        if [[ -n $(ls -A "$path") ]] || dpkg -S "$path" >/dev/null 2>&1; then continue; fi
    fi
    leftovers+=("$path")
done <"$work/installed-files.txt"
[[ ${#leftovers[@]} -eq 0 ]] || fail "left behind after the purge: ${leftovers[*]}"
for path in /usr/share/fedmedclip /usr/share/fedmedclip-coordinator "$config_dir" /etc/fedmedclip-site-agent /usr/bin/fedmedclip-*; do
    [[ ! -e $path ]] || fail "left behind after the purge: $path"
done
stray=$(find /etc /usr /var /opt \( -path "$source_dir" -o -path "$build_dir" -o -path "$work" -o -path "$state_dir" \
                                   -o -path "$agent_state_dir" -o -path '/var/tmp/fedmedclip-fresh.*' \
                                   -o -path /var/cache/man \) \
            -prune -o -name '*fedmedclip*' -print 2>/dev/null || true)
[[ -z $stray ]] || fail "left behind after the purge:"$'\n'"$stray"
[[ -f $state_dir/state.sqlite ]] || fail "the purge removed the coordinator's state ($state_dir/state.sqlite)"
step "purged: nothing left but the data directories ($state_dir, the user's $home)"
echo "PASS"
