"""Reading the distance counter burnt into CCTV footage (no Qt, no torch)."""
