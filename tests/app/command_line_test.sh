#!/usr/bin/env bash
# The executables as a user meets them from a terminal without a display (ssh, scripts,
# help2man): --help, --version and a wrong option answer in text, and the CLI and the
# desktop app name one data location, so the demo is prepared once for both.
# Usage: command_line_test.sh CLI DESKTOP VERSION
set -euo pipefail
cli=$1 desktop=$2 version=$3
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# No display of any kind, no XDG overrides: the defaults a new user has.
bare() { env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 "$@"; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

help=$(bare "$desktop" --help 2>&1) || fail "fedmedclip-desktop --help without a display exited with $?: $help"
grep -q "^Usage: " <<<"$help" || fail "fedmedclip-desktop --help printed no usage: $help"
grep -q -- "--demo-dir" <<<"$help" || fail "fedmedclip-desktop --help lists no --demo-dir"
printed=$(bare "$desktop" --version 2>&1) || fail "fedmedclip-desktop --version exited with $?"
[[ $printed == "fedmedclip-desktop $version" ]] || fail "fedmedclip-desktop --version printed '$printed'"
status=0
wrong=$(bare "$desktop" --no-such-option 2>&1) || status=$?
[[ $status -ne 0 ]] || fail "fedmedclip-desktop --no-such-option exited 0"
grep -q "no-such-option" <<<"$wrong" || fail "fedmedclip-desktop --no-such-option did not name the option: $wrong"
status=0
bad_number=$(bare "$desktop" --demo --demo-rounds many 2>&1) || status=$?
[[ $status -eq 2 ]] || fail "fedmedclip-desktop --demo-rounds many exited with $status, not 2"
grep -q -- "--demo-rounds: 'many'" <<<"$bad_number" || fail "fedmedclip-desktop did not name --demo-rounds: $bad_number"
grep -qiE "xcb|could not connect to display|Aborted" <<<"$help$wrong$bad_number" && fail "a display was needed: $help$wrong"

# Qt wraps help text, even inside a path: join the lines before looking for one.
unwrapped() { sed -e ':a' -e 'N' -e '$!ba' -e 's/\n *//g' <<<"$1"; }
data="$home/.local/share/FedMedCLIP/fedmedclip/demo"
grep -qF "$data)" <<<"$(unwrapped "$help")" || fail "fedmedclip-desktop's demo is not in $data: $(grep -A1 -- --demo-dir <<<"$help")"
cli_help=$(bare "$cli" demo --help 2>&1) || fail "fedmedclip-cli demo --help exited with $?"
grep -qF "$data/federation)" <<<"$(unwrapped "$cli_help")" \
    || fail "fedmedclip-cli demo does not work in the desktop app's demo folder $data/federation: $(grep -A1 -- --work <<<"$cli_help")"

# A byte budget only means something for the delta codec: refused, with the reason, elsewhere.
status=0
budget=$(bare "$cli" simulate --codec fp16-zlib --delta-budget 100000 --bundle "$home/none" --data "$home/none" 2>&1) || status=$?
[[ $status -ne 0 ]] || fail "fedmedclip-cli simulate --codec fp16-zlib --delta-budget exited 0"
grep -qF -- "--delta-budget applies only with --codec mask-int8-delta-zlib, not fp16-zlib" <<<"$budget" \
    || fail "fedmedclip-cli simulate did not explain --delta-budget with fp16-zlib: $budget"

[[ $failures -eq 0 ]] || exit 1
echo "PASS"
