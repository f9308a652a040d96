"""Procedural sewer CCTV frames and videos with exact crack labels."""
