#!/bin/sh
# Screenshots of FedMedCLIP Desktop on the demo workspace, under a virtual X server.
#
#   docs/screenshots/take_screenshots.sh BUILD_DIR [OUT_DIR]
#
# Starts fedmedclip-desktop --demo under Xvfb (Debian: xvfb, imagemagick; without xvfb-run, on
# Qt's offscreen platform), which prepares the demo workspace (demo bundle, demo images, a
# finished demo federation) in a temporary folder, walks through every page and saves a PNG of
# the window on each (QWidget::grab). One picture of the whole virtual screen is also taken
# with ImageMagick's `import`, to show what X drew.
# Settings go to a temporary folder too, so the user's own are left alone.
set -eu
build=${1:?usage: take_screenshots.sh BUILD_DIR [OUT_DIR]}
out=$(cd "${2:-$(dirname "$0")}" && pwd)
app="$build/bin/fedmedclip-desktop"
[ -x "$app" ] || app="$build/app/desktop/fedmedclip-desktop"
[ -x "$app" ] || { echo "take_screenshots.sh: $app not found; build fedmedclip-desktop first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v xvfb-run >/dev/null; then
    # Without Xvfb: Qt's offscreen platform on a screen of the same size (no 00-screen.png then).
    printf '{"screens": [{"name": "virtual", "x": 0, "y": 0, "width": 1360, "height": 860, "logicalDpi": 96}]}\n' \
        >"$work/offscreen.json"
    XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" QT_QPA_PLATFORM="offscreen:configfile=$work/offscreen.json" \
        "$app" --demo --demo-dir "$work/demo" --language en --screenshots "$out"
else
    XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
    xvfb-run -a -s "-screen 0 1360x860x24" sh -c '
        "$0" --demo --demo-dir "$1/demo" --language en --screenshots "$2" &
        pid=$!
        # Once the Classify page has been saved the window is fully drawn: grab the whole screen.
        while kill -0 "$pid" 2>/dev/null && [ ! -f "$2/03-classify.png" ]; do sleep 1; done
        if kill -0 "$pid" 2>/dev/null; then import -window root "$2/00-screen.png"; fi
        wait "$pid"
    ' "$app" "$work" "$out"
fi
# The DICOM browser with a CT in a lung window, the recall chart of nine classes and the
# federated status panel mid-round, at 1024 x 700 and at scale 2 (the screens test saves them).
screens="$build/bin/tst_screens"
if [ -x "$screens" ]; then
    for scale in 1 2; do
        QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=$scale FMC_SCREENSHOT_DIR="$out" "$screens" >/dev/null
    done
fi
ls -1 "$out"/*.png
