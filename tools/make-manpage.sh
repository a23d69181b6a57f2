#!/usr/bin/env bash
# Writes the man page of one of the project's executables from its own --help text (so the
# two never disagree): help2man for the synopsis and options, plus one section per
# sub-command with that command's --help. Output: gzip -9n, as Debian wants it.
# Usage: make-manpage.sh EXECUTABLE "ONE-LINE DESCRIPTION" OUTPUT.1.gz
set -euo pipefail
executable=$1 description=$2 output=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen LC_ALL=C.UTF-8

# Sub-commands are the indented lines of the top-level help ("  name   summary"), if any.
commands=$("$executable" --help | awk '/^  [a-z][a-z0-9-]* / { print $1 }')
include="$work/include.h2m"
{
    if [[ -n $commands ]]; then
        echo "[COMMANDS]"
        for command in $commands; do
            echo ".SS $command"
            echo ".nf"
            # roff: a leading dot or apostrophe would start a request; backslashes escape.
            "$executable" "$command" --help 2>&1 | sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
            echo ".fi"
        done
    fi
    echo "[SEE ALSO]"
    echo "The user documentation in /usr/share/doc/fedmedclip-desktop and /usr/share/doc/fedmedclip-coordinator."
    echo "[NOTES]"
    echo "Research use only. Not a medical device."
} > "$include"

help2man --no-info --no-discard-stderr --section=1 --name="$description" --include="$include" \
         --output="$work/page.1" "$executable"
gzip -9 -n -c "$work/page.1" > "$output"
