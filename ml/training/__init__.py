"""Training code: everything here imports torch; nothing under sewer_gui imports it."""
