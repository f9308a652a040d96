"""`python -m sewer_gui [VIDEO] [--demo]`: the `sewer-gui` command (a trial typed this)."""

from sewer_gui.ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
