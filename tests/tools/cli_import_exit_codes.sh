#!/bin/sh
# fedmedclip-cli import's documented exit codes, and that a failed import into a new
# workspace leaves no workspace behind. Usage: cli_import_exit_codes.sh CLI WORK_DIR
set -u
cli=$1
work=$2
rm -rf "$work" && mkdir -p "$work/images" || exit 1
failures=0
expect() {  # expect STATUS DESCRIPTION -- command...
    want=$1; what=$2; shift 3
    "$@" >"$work/out.txt" 2>&1
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: $what: exit $got, want $want"; cat "$work/out.txt"; failures=$((failures + 1))
    else
        echo "ok: $what (exit $got)"
    fi
}
absent() {  # absent PATH DESCRIPTION
    if [ -e "$1" ]; then echo "FAIL: $2: $1 was left behind"; failures=$((failures + 1)); else echo "ok: $2"; fi
}

expect 3 "a missing path" -- "$cli" import "$work/ws-missing" "$work/no-such-folder"
absent "$work/ws-missing" "no new workspace after a missing path"
grep -q "not-found" "$work/out.txt" || { echo "FAIL: the missing path is not reported"; failures=$((failures + 1)); }

printf 'clinic notes\n' >"$work/images/notes.txt"
expect 4 "nothing importable" -- "$cli" import "$work/ws-nothing" "$work/images"
absent "$work/ws-nothing" "no new workspace when nothing was imported"

png=$(ls "${FMC_SHARED_DATA_DIR:-/nonexistent}"/brain-mri/glioma/*.jpg 2>/dev/null | head -n 1)
if [ -n "$png" ]; then
    cp "$png" "$work/images/scan.jpg"
    expect 0 "an import that imports" -- "$cli" import "$work/ws-good" "$work/images"
    [ -f "$work/ws-good/workspace.sqlite" ] || { echo "FAIL: the workspace is missing"; failures=$((failures + 1)); }
    expect 0 "re-running it (already imported)" -- "$cli" import "$work/ws-good" "$work/images"
    expect 3 "an existing workspace and a missing path" -- "$cli" import "$work/ws-good" "$work/no-such-file.png"
    [ -f "$work/ws-good/workspace.sqlite" ] || { echo "FAIL: an existing workspace was removed"; failures=$((failures + 1)); }
else
    echo "skipped the successful import: ../shared/data/brain-mri is absent"
fi
expect 1 "CSV options without a CSV" -- "$cli" import "$work/ws-csv" "$work/images" --csv-path-column id
absent "$work/ws-csv" "no new workspace after a refused request"
[ "$failures" -eq 0 ] && echo "all import exit code checks passed"
exit "$failures"
