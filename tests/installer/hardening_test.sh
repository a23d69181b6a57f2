#!/usr/bin/env bash
# The executables that parse untrusted input (DICOM files, images, HTTPS uploads) are built
# hardened, as Debian's dpkg-buildflags would build them: position independent (PIE),
# full RELRO (relro + BIND_NOW), stack protector, _FORTIFY_SOURCE checked calls and a
# non-executable stack. Read from the ELF files with readelf.
# Usage: hardening_test.sh EXECUTABLE...
set -euo pipefail
command -v readelf >/dev/null || { echo "SKIP: readelf is not available"; exit 77; }

failures=0
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }
for binary in "$@"; do
    name=$(basename "$binary")
    failures_before=$failures
    [[ -f $binary ]] || { fail "$name" "not built ($binary)"; continue; }
    header=$(readelf -h "$binary")
    dynamic=$(readelf -d "$binary")
    segments=$(readelf -lW "$binary")
    symbols=$(readelf --dyn-syms -W "$binary")
    grep -qE 'Type:[[:space:]]+DYN' <<<"$header" || fail "$name" "not position independent (ELF type is not DYN)"
    grep -q 'GNU_RELRO' <<<"$segments" || fail "$name" "no RELRO segment (-Wl,-z,relro)"
    grep -qE '\(BIND_NOW\)|\(FLAGS_1\).*NOW' <<<"$dynamic" || fail "$name" "no BIND_NOW (-Wl,-z,now)"
    grep -qE '\(FLAGS_1\).*PIE' <<<"$dynamic" || fail "$name" "not flagged PIE"
    grep -q '__stack_chk_fail' <<<"$symbols" || fail "$name" "no stack protector (__stack_chk_fail is not referenced)"
    fortified=$(grep -cE ' __[a-z0-9_]+_chk(@|$)' <<<"$symbols" || true)
    [[ $fortified -gt 0 ]] || fail "$name" "no _FORTIFY_SOURCE checked calls (__*_chk)"
    stack=$(grep 'GNU_STACK' <<<"$segments" || true)
    [[ -n $stack && $stack != *RWE* ]] || fail "$name" "executable stack: $stack"
    [[ $failures -eq $failures_before ]] && echo "$name: PIE, RELRO, BIND_NOW, stack protector, $fortified fortified calls, non-executable stack"
done
[[ $failures -eq 0 ]] || { echo "$failures hardening check(s) failed"; exit 1; }
echo "PASS"
