"""`python -m sewer_gui [VIDEO] [--demo]`: the same as the `sewer-gui` command (a trial typed it)."""

from sewer_gui.ui.app import main

raise SystemExit(main())
