"""Photometric jitter: the same crack geometry under other colours, exposure, blur and noise."""

from __future__ import annotations

import pytest
import torch

from ml.training.config import TrainConfig
from ml.training.data import Split, normalise
from ml.training.photometric import jitter


def _line_images(n: int = 16) -> torch.Tensor:
    """Orange walls with one dark vertical crack each, at another column per image."""
    images = torch.zeros(n, 3, 32, 32, dtype=torch.uint8)
    images[:, 0], images[:, 1], images[:, 2] = 200, 120, 60
    for i in range(n):
        images[i, :, :, 4 + i] = 20
    return images


def test_strength_zero_changes_nothing_and_one_changes_every_image():
    images = _line_images()
    assert torch.equal(jitter(images, 0.0), images.float())
    out = jitter(images, 1.0, torch.Generator().manual_seed(1))
    assert out.shape == images.shape and out.dtype == torch.float32
    assert float(out.min()) >= 0.0 and float(out.max()) <= 255.0
    moved = (out - images.float()).abs().mean(dim=(1, 2, 3))
    assert bool((moved > 1.0).all())  # each image jittered ...
    assert len({round(float(m), 2) for m in moved}) == len(images)  # ... each its own way


def test_the_crack_stays_where_it_was_and_the_same_seed_gives_the_same_batch():
    images = _line_images()
    out = jitter(images, 1.0, torch.Generator().manual_seed(7))
    darkest = out.mean(dim=(1, 2)).argmin(dim=1)  # the darkest column of each image
    assert darkest.tolist() == [4 + i for i in range(len(images))]
    again = jitter(images, 1.0, torch.Generator().manual_seed(7))
    assert torch.equal(out, again)


def test_only_training_batches_are_jittered():
    images = _line_images(8)
    split = Split(images, torch.zeros(8, dtype=torch.long), photometric=1.0)
    plain = Split(images, torch.zeros(8, dtype=torch.long))
    generator = torch.Generator().manual_seed(3)
    _pos, _var, fixed, _labels = next(split.batches(8, None, augment=False))
    assert torch.equal(fixed, normalise(images))  # validation and test see the images as they are
    _pos, variants, trained, _labels = next(split.batches(8, generator, augment=True))
    _p, _v, unjittered, _l = next(plain.batches(8, torch.Generator().manual_seed(3), True))
    assert not torch.allclose(trained, unjittered)


@pytest.mark.parametrize("options", [{"mode": "distill", "teacher": "t.pt"},
                                     {"mode": "student", "freeze_front": True},
                                     {"mode": "student", "photometric_value": 1.5}])
def test_refused_where_it_cannot_work(options):
    strength = options.pop("photometric_value", 0.5)
    config = TrainConfig(data="d", photometric=strength, **options)
    with pytest.raises(ValueError, match="photometric"):
        config.validate()


def test_a_run_jitters_its_training_split_only(tiny_data, tmp_path, monkeypatch):
    import ml.training.photometric as photometric
    from ml.training.run import Reporter, _load_splits
    from tests.ml_fixtures import tiny_config, tiny_fit

    config = tiny_config(tiny_data, tmp_path / "splits", mode="student", arch="cmi",
                         photometric=0.7)
    (tmp_path / "splits").mkdir()
    splits = _load_splits(config, Reporter("text"))
    assert {name: split.photometric for name, split in splits.items()} == {
        "train": 0.7, "val": 0.0, "test": 0.0}
    calls = []
    real = photometric.jitter
    monkeypatch.setattr(photometric, "jitter",
                        lambda batch, *a: calls.append(len(batch)) or real(batch, *a))
    summary = tiny_fit(tiny_data, tmp_path, mode="student", arch="cmi", epochs=1, photometric=0.7)
    assert summary["config"]["photometric"] == 0.7
    assert sum(calls) == len(splits["train"])  # every training image, once an epoch
    assert summary["history"][0]["train_loss"] > 0 and summary["test"]["n"] > 0
