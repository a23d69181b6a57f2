#!/usr/bin/env bash
# The shipped systemd units stay locked down: systemd-analyze's offline security review of
# each unit file must not exceed an overall exposure of 1.5 (systemd's scale 0-10).
# Usage: unit_security_test.sh UNIT_FILE...
set -euo pipefail
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not available"; exit 77; }
failures=0
for unit in "$@"; do
    report=$(systemd-analyze security --offline=true "$unit" 2>&1 || true)
    overall=$(grep -oE 'Overall exposure level for [^:]+: [0-9.]+' <<<"$report" | grep -oE '[0-9.]+$' || true)
    [[ -n $overall ]] || { echo "FAIL: $unit: no exposure figure:"; echo "$report"; failures=$((failures + 1)); continue; }
    if awk -v e="$overall" 'BEGIN { exit !(e > 1.5) }'; then
        echo "FAIL: $(basename "$unit"): exposure $overall is over 1.5"
        grep '✗' <<<"$report" || true
        failures=$((failures + 1))
    else
        echo "$(basename "$unit"): exposure $overall"
    fi
done
[[ $failures -eq 0 ]] || exit 1
echo "PASS"
