#!/usr/bin/env bash
# Keys after dialogs on a real X server without a window manager (Xvfb + xdotool, Debian's
# xvfb and xdotool packages): the reject dialog with its code list, the export dialog, the
# settings dialog and the training wizard's folder picker each hand the keys back. Prints one line per check; exit 1 if
# one fails. Usage: benchmarks/focus_on_xvfb.sh [DISPLAY_NUMBER]
set -u
cd "$(dirname "$0")/.."
num=${1:-97}
work=$(mktemp -d)
export HOME=$work SEWER_CONFIG_DIR=$work/config DISPLAY=:$num
Xvfb ":$num" -screen 0 1600x1000x24 >/dev/null 2>&1 & xvfb=$!
sleep 1
.venv/bin/sewer-gui --demo >"$work/app.log" 2>&1 & app=$!
trap 'kill $app $xvfb 2>/dev/null; rm -rf "$work"' EXIT
sleep 8
visible() { xdotool search --onlyvisible --name "$1" 2>/dev/null | wc -l; }
failed=0
check() {  # name, expected count, window title
    local got; got=$(visible "$3")
    if [ "$got" -ge "$2" ] && { [ "$2" -gt 0 ] || [ "$got" -eq 0 ]; }; then echo "ok    $1"
    else echo "FAIL  $1 (windows named '$3': $got)"; failed=1; fi
}
xdotool key ctrl+r; sleep 12  # scan the demo video: N then has candidates
xdotool key n; sleep 1.5
xdotool key BackSpace; sleep 1.5
check "reject dialog opens with Backspace" 1 "Reject"
xdotool key w; sleep 0.5; xdotool type CC; sleep 0.5; xdotool key Return; sleep 1.5
check "reject dialog closes after W, CC, Enter" 0 "Reject"
xdotool key ctrl+comma; sleep 1.5
check "keys back after the reject dialog: Ctrl+, opens Settings" 1 "Settings"
xdotool key Escape; sleep 1
xdotool key ctrl+shift+e; sleep 2
check "keys back after Settings: Ctrl+Shift+E opens the export dialog" 1 "Export exchange"
xdotool key Escape; sleep 1.5
xdotool key ctrl+comma; sleep 1.5
check "keys back after the export dialog: Ctrl+, opens Settings" 1 "Settings"
xdotool key Escape; sleep 1
xdotool key alt+s; sleep 0.7; xdotool key t; sleep 3
check "Alt+S, T opens the training wizard" 1 "Train a crack model"
xdotool key alt+f; sleep 2
check "Alt+F in the wizard opens its folder picker" 1 "Image folder"
xdotool key Escape; sleep 1.5
xdotool key Escape; sleep 1.5
check "keys back after the folder picker: Esc closes the wizard" 0 "Train a crack model"
xdotool key ctrl+comma; sleep 1.5
check "keys back after the wizard: Ctrl+, opens Settings" 1 "Settings"
exit $failed
