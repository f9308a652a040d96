"""The feature anchor: a reference network's pooled features as a target beside the class loss."""

from __future__ import annotations

import pytest
import torch

from ml.training.config import TrainConfig
from ml.training.data import FLIPS, Split
from ml.training.efficientnet_lite import EfficientNetLite0
from ml.training.engine import cross_entropy_only
from ml.training.feature_anchor import FeatureAnchor, reference_features
from ml.training.run import fit


def _split(n: int = 12, size: int = 32) -> Split:
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=g)
    return Split(images, torch.arange(n) % 6)


def test_the_projector_learns_a_target_read_from_the_right_image_and_flip():
    """Targets that are a fixed linear map of the student's own features of each flipped image
    can be matched exactly only when the loss looks up the same image and flip."""
    torch.manual_seed(0)
    student = EfficientNetLite0(6, pretrained=True, dropout=0.0, drop_path=0.0).eval()
    split = _split()
    own = reference_features(student, split, torch.device("cpu")).float()
    targets = own @ torch.randn(1280, 24)
    anchor = FeatureAnchor(cross_entropy_only, student, targets, weight=1.0)
    optimizer = torch.optim.Adam(anchor.parameters(), lr=1e-2)
    first = last = None
    for _step in range(300):
        positions = torch.randperm(len(split))[:8]
        variants = torch.randint(0, FLIPS, (8,))
        # The student's head input, as its forward pass would feed it (the anchor's tap).
        logits = student._fc(student._dropout(own[variants, positions]))
        term = anchor(logits, split.labels[positions], positions, variants)["anchor"]
        optimizer.zero_grad()
        term.backward()
        optimizer.step()
        first = float(term.detach()) if first is None else first
        last = float(term.detach())
    assert first > 0.3 and last < 0.02


def test_a_step_without_the_students_features_is_an_error():
    student = EfficientNetLite0(6, pretrained=False)
    anchor = FeatureAnchor(cross_entropy_only, student, torch.zeros(FLIPS, 2, 8), weight=1.0)
    with pytest.raises(RuntimeError, match="pooled features"):
        anchor(torch.zeros(2, 6), torch.zeros(2, dtype=torch.long), torch.arange(2),
               torch.zeros(2, dtype=torch.long))


def test_an_anchored_run_saves_its_projector_and_resumes_with_it(tiny_data, tmp_path):
    config = TrainConfig(mode="student", arch="efficientnet_lite0", data=str(tiny_data),
                         out=str(tmp_path / "run"), epochs=1, image_size=32, threads=1,
                         batch_size=16, feature_anchor="imagenet", feature_anchor_weight=0.5)
    fit(config)
    saved = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    projector = saved["loss"]["project.weight"]
    assert projector.shape == (1280, 1280)
    config.epochs, config.resume = 2, True
    fit(config)
    resumed = torch.load(tmp_path / "run" / "last.pt", weights_only=True)
    assert resumed["epoch"] == 2
    after = resumed["loss"]["project.weight"]
    # Trained on from the saved one: still close to it; a fresh random projector is uncorrelated.
    assert not torch.equal(after, projector)
    assert torch.corrcoef(torch.stack([after.flatten(), projector.flatten()]))[0, 1] > 0.5


def test_a_student_without_pooled_features_is_refused(tiny_data, tmp_path):
    config = TrainConfig(mode="student", arch="cmi", data=str(tiny_data), out=str(tmp_path),
                         epochs=1, image_size=32, threads=1, feature_anchor="imagenet")
    with pytest.raises(ValueError, match="EfficientNet-Lite0 student"):
        fit(config)


@pytest.mark.parametrize(("first", "then"), [("imagenet", ""), ("", "imagenet")])
def test_resuming_with_the_anchor_switched_is_refused_by_name(tiny_data, tmp_path, first, then):
    """A fresh-eyes review: resumed with the anchor turned on or off, the run died in torch
    (an optimizer group mismatch, or a loss without load_state_dict)."""
    config = TrainConfig(mode="student", arch="efficientnet_lite0", data=str(tiny_data),
                         out=str(tmp_path / "run"), epochs=1, image_size=32, threads=1,
                         batch_size=16, feature_anchor=first)
    fit(config)
    config.epochs, config.resume, config.feature_anchor = 2, True, then
    with pytest.raises(ValueError, match=rf"last\.pt: a stopped run with feature_anchor="
                                         rf"'{first}', but this run asks for feature_anchor="
                                         rf"'{then}'; remove it to start again"):
        fit(config)


def test_the_anchor_is_refused_under_torchrun(tiny_data, tmp_path, monkeypatch):
    import ml.training.run as run

    monkeypatch.setattr(run, "_distributed", lambda: (0, 2))
    config = TrainConfig(mode="student", arch="efficientnet_lite0", data=str(tiny_data),
                         out=str(tmp_path / "run"), epochs=1, image_size=32, threads=1,
                         feature_anchor="imagenet")
    with pytest.raises(ValueError, match="one process only"):
        fit(config)
