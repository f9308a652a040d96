"""The bundled demo video: a synthetic drive, re-encoded to H.264 when ffmpeg is available.

`python -m ml.recipes.demo_video` writes resources/sample/demo_pipe.mp4 and its JSON sidecar.
OpenCV writes MPEG-4 part 2, which is about five times larger than H.264 at the same look, so
the shipped copy goes through ffmpeg (libx264, CRF 30) to stay a few MB.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ml.synth.video import DriveSpec, write_drive

DEMO = Path(__file__).resolve().parents[2] / "resources" / "sample" / "demo_pipe.mp4"
DEMO_SEED = 11
DEMO_SPEC = DriveSpec(length_m=12.0, speed_mps=0.15, fps=15.0, width=480, height=360,
                      defects=7, pause_s=2.0)


def main() -> int:
    DEMO.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.mp4"
        sidecar = write_drive(raw, DEMO_SEED, DEMO_SPEC)
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg:
            subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-i", str(raw), "-c:v",
                            "libx264", "-crf", "30", "-preset", "slow", "-pix_fmt", "yuv420p",
                            "-movflags", "+faststart", str(DEMO)], check=True)
        else:
            shutil.copy(raw, DEMO)
        shutil.copy(raw.with_suffix(".json"), DEMO.with_suffix(".json"))
    print(f"{DEMO}: {DEMO.stat().st_size / 1e6:.1f} MB, {sidecar['frames']} frames, "
          f"{len(sidecar['defects'])} defects")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
