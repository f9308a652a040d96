#!/usr/bin/env bash
# Build the one-folder bundle and smoke-test it: `make package` / `make package-test`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
    packaging/sewer_gui.spec
du -sh dist/sewer-gui | tee dist/size.txt
if [ "${1:-}" = "--test" ]; then
    start=$(date +%s.%N)
    QT_QPA_PLATFORM=offscreen dist/sewer-gui/sewer-gui --self-test | tee dist/self_test.json
    end=$(date +%s.%N)
    echo "self-test wall time: $(echo "$end - $start" | bc) s" | tee -a dist/size.txt
    grep -q '"ok": true' dist/self_test.json
fi
