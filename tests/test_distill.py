import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ml.training.config import KD_METHODS as CONFIG_KD_METHODS
from ml.training.config import TrainConfig
from ml.training.distill import (
    KD_METHODS,
    Distiller,
    combine_teacher_logits,
    dist_loss,
    dkd_loss,
    kd_loss,
)


def _logits(seed: int, n: int = 8, c: int = 6) -> torch.Tensor:
    return torch.randn(n, c, generator=torch.Generator().manual_seed(seed)) * 3


def test_kd_term_vanishes_when_student_matches_teacher():
    s = _logits(0)
    labels = torch.randint(0, 6, (8,))
    out = kd_loss(s, s.clone(), labels, temperature=4.0, alpha=0.9)
    assert out["kd"].abs() < 1e-6
    assert torch.isclose(out["loss"], 0.1 * F.cross_entropy(s, labels))


def test_alpha_zero_is_plain_cross_entropy_and_one_is_pure_kd():
    s, t = _logits(1), _logits(2)
    labels = torch.randint(0, 6, (8,))
    assert torch.isclose(kd_loss(s, t, labels, 4.0, 0.0)["loss"], F.cross_entropy(s, labels))
    pure = kd_loss(s, t, labels, 4.0, 1.0)
    assert torch.isclose(pure["loss"], pure["kd"])


def test_kd_uses_batchmean_and_t_squared():
    s, t = _logits(3), _logits(4)
    labels = torch.zeros(8, dtype=torch.long)
    temperature = 3.0
    manual = (F.softmax(t / temperature, 1) * (F.log_softmax(t / temperature, 1)
                                               - F.log_softmax(s / temperature, 1))).sum(1).mean()
    got = kd_loss(s, t, labels, temperature, 1.0)["kd"]
    assert torch.isclose(got, manual * temperature ** 2, atol=1e-5)


def test_gradients_reach_the_student_only():
    student, teacher = torch.nn.Linear(4, 6), torch.nn.Linear(4, 6)
    distiller = Distiller(student, teacher)
    distiller.train()
    assert not teacher.training and student.training
    x = torch.randn(5, 4)
    loss = kd_loss(student(x), distiller.teacher_logits(x), torch.randint(0, 6, (5,)), 4.0, 0.5)
    loss["loss"].backward()
    assert student.weight.grad is not None and teacher.weight.grad is None
    assert all(not p.requires_grad for p in teacher.parameters())


def test_dkd_is_finite_and_reduces_to_ce_without_kd_weights():
    s, t = _logits(5), _logits(6)
    labels = torch.randint(0, 6, (8,))
    out = dkd_loss(s, t, labels, 4.0, alpha=1.0, beta=8.0)
    assert torch.isfinite(out["loss"]) and out["tckd"] >= 0 and out["nckd"] >= 0
    plain = dkd_loss(s, t, labels, 4.0, alpha=0.0, beta=0.0)
    assert torch.isclose(plain["loss"], F.cross_entropy(s, labels))


@pytest.mark.parametrize("temperature", [1.0, 4.0, 8.0])
def test_dkd_vanishes_when_student_matches_teacher(temperature):
    s = _logits(7)
    out = dkd_loss(s, s.clone(), torch.randint(0, 6, (8,)), temperature)
    assert out["tckd"].abs() < 1e-5 and out["nckd"].abs() < 1e-5


def test_dist_relation_terms_vanish_when_student_matches_teacher():
    s = _logits(8)
    labels = torch.randint(0, 6, (8,))
    out = dist_loss(s, s.clone(), labels)
    assert out["inter"].abs() < 1e-5 and out["intra"].abs() < 1e-5
    assert torch.isclose(out["loss"], F.cross_entropy(s, labels), atol=1e-5)


def test_dist_matches_numpy_pearson_on_a_small_case():
    s = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
    t = torch.tensor([[1.0, 1.0, -2.0], [0.0, 3.0, 1.0]])
    temperature = 2.0
    ps = F.softmax(s / temperature, 1).double().numpy()
    pt = F.softmax(t / temperature, 1).double().numpy()
    inter = 1 - np.mean([np.corrcoef(ps[i], pt[i])[0, 1] for i in range(2)])
    intra = 1 - np.mean([np.corrcoef(ps[:, j], pt[:, j])[0, 1] for j in range(3)])
    out = dist_loss(s, t, torch.tensor([0, 1]), temperature, beta=1.0, gamma=0.5)
    assert out["inter"].item() == pytest.approx(inter * temperature ** 2, abs=1e-5)
    assert out["intra"].item() == pytest.approx(intra * temperature ** 2, abs=1e-5)
    assert out["kd"].item() == pytest.approx((inter + 0.5 * intra) * temperature ** 2, abs=1e-5)


def test_dist_ignores_the_teachers_confidence_but_not_its_ranking():
    t = _logits(9)
    labels = torch.randint(0, 6, (8,))
    sharper = dist_loss(t * 1.5, t, labels)["inter"]  # same ranking, more confident
    shuffled = dist_loss(t[:, torch.tensor([5, 4, 3, 2, 1, 0])], t, labels)["inter"]
    assert sharper < 0.05 < shuffled
    assert kd_loss(t * 1.5, t, labels, 1.0, 1.0)["kd"] > 10 * sharper


def test_combined_teachers_are_a_weighted_mean_of_logits():
    a, b = _logits(10), _logits(11)
    assert torch.allclose(combine_teacher_logits([a, b]), (a + b) / 2)
    assert torch.allclose(combine_teacher_logits([a, b], [1.0, 3.0]), 0.25 * a + 0.75 * b)
    assert torch.equal(combine_teacher_logits([a]), a)
    with pytest.raises(ValueError):
        combine_teacher_logits([a, b], [1.0])
    with pytest.raises(ValueError):
        combine_teacher_logits([a, a[:4]])


def test_every_configurable_kd_method_is_implemented():
    assert set(KD_METHODS) == set(CONFIG_KD_METHODS)
    config = TrainConfig(kd_method="dist", data="x")
    s, t, labels = _logits(12), _logits(13), torch.randint(0, 6, (8,))
    for name, method in KD_METHODS.items():
        out = method(s, t, labels, config, 0)
        assert torch.isfinite(out["loss"]) and out["kd"] > 0, name
