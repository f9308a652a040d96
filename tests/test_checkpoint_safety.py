"""Checkpoints chosen by the user are loaded as weights only: a crafted file runs no code."""

import pathlib

import pytest

torch = pytest.importorskip("torch")


class _RunsCode:
    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return pathlib.Path.touch, (self.marker,)


def test_crafted_checkpoint_is_refused_without_running_code(tmp_path):
    from ml.evaluation import calibration_images
    from ml.training.run import load_checkpoint_model

    marker = tmp_path / "code-ran"
    crafted = tmp_path / "best.pt"
    torch.save({"model": _RunsCode(marker), "config": {"arch": "cmi"}, "class_names": []},
               crafted)
    with pytest.raises(ValueError, match=r"best\.pt: not a checkpoint written by sewer-ml"):
        load_checkpoint_model(crafted)
    with pytest.raises(Exception, match="Weights only load failed"):
        calibration_images(crafted)
    assert not marker.exists()
    torch.load(crafted, weights_only=False)  # the same file does run code when fully unpickled
    assert marker.exists()
