"""Video decoding and frame-to-distance tracking (OpenCV, no Qt)."""
