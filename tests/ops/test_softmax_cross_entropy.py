"""The fused softmax-cross-entropy op against hand values, its composite, gradcheck and torch."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ConfigError, DTypeError, ShapeError
from glassnet.ops.fused.softmax_cross_entropy import softmax_cross_entropy


def _logits(n=5, c=4, seed=0, scale=2.0):
    rng = np.random.default_rng(seed)
    return gn.tensor(rng.standard_normal((n, c)) * scale, dtype="float64", requires_grad=True)


def _labels(n=5, c=4, seed=1):
    return np.random.default_rng(seed).integers(0, c, size=n)


def _composite(logits, labels, reduction="mean"):
    """Cross-entropy from primitives: logsumexp(x) − x[y]."""
    rows = np.arange(len(labels))
    losses = gn.logsumexp(logits, axis=1) - gn.index(logits, (rows, labels))
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


def test_forward_matches_hand_computed_values():
    logits = gn.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype="float64")
    expected_0 = -math.log(math.e**2 / (math.e**2 + 2))
    expected_1 = math.log(3)
    losses = softmax_cross_entropy(logits, [0, 2], reduction="none")
    np.testing.assert_allclose(losses.data, [expected_0, expected_1], rtol=1e-12)
    total = softmax_cross_entropy(logits, [0, 2], reduction="sum").item()
    assert total == pytest.approx(expected_0 + expected_1, rel=1e-12)


def test_backward_is_softmax_minus_onehot_over_batch_size():
    logits = gn.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype="float64", requires_grad=True)
    softmax_cross_entropy(logits, [0, 2]).backward()
    e2 = math.e**2
    p0 = [e2 / (e2 + 2), 1 / (e2 + 2), 1 / (e2 + 2)]
    expected = np.array([[p0[0] - 1, p0[1], p0[2]], [1 / 3, 1 / 3, 1 / 3 - 1]]) / 2
    np.testing.assert_allclose(logits.grad, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_matches_composite_of_logsumexp_and_index(reduction):
    labels = _labels()
    fused_logits, composite_logits = _logits(), _logits()
    fused = softmax_cross_entropy(fused_logits, labels, reduction=reduction)
    composite = _composite(composite_logits, labels, reduction)
    np.testing.assert_allclose(fused.data, composite.data, rtol=1e-12)
    weights = np.linspace(0.5, 1.5, fused.size).reshape(fused.shape)
    (fused * weights).sum().backward()
    (composite * weights).sum().backward()
    np.testing.assert_allclose(fused_logits.grad, composite_logits.grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_gradcheck_with_class_targets(reduction, label_smoothing):
    labels = _labels()
    gn.gradcheck(
        lambda x: softmax_cross_entropy(
            x, labels, reduction=reduction, label_smoothing=label_smoothing
        ),
        [_logits()],
    )


def test_gradcheck_with_probability_targets_for_logits_and_targets():
    rng = np.random.default_rng(3)
    probs = rng.random((5, 4))
    probs /= probs.sum(axis=1, keepdims=True)
    targets = gn.tensor(probs, dtype="float64", requires_grad=True)
    gn.gradcheck(
        lambda x, t: softmax_cross_entropy(x, t, label_smoothing=0.1), [_logits(), targets]
    )


def test_label_smoothing_mixes_onehot_with_uniform():
    logits = _logits()
    labels = _labels()
    eps, c = 0.3, 4
    smoothed = (1 - eps) * np.eye(c)[labels] + eps / c
    got = softmax_cross_entropy(logits, labels, label_smoothing=eps, reduction="none").data
    log_p = logits.data - np.log(np.exp(logits.data).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(got, -(smoothed * log_p).sum(axis=1), rtol=1e-12)


def test_one_hot_probability_targets_equal_class_targets():
    labels = _labels()
    by_class = softmax_cross_entropy(_logits(), labels).item()
    by_probs = softmax_cross_entropy(_logits(), np.eye(4)[labels]).item()
    assert by_probs == pytest.approx(by_class, rel=1e-12)


def test_large_logits_stay_finite_without_warnings():
    logits = gn.tensor([[1000.0, -1000.0, 0.0], [-5e4, 5e4, 5e4]], requires_grad=True)
    loss = softmax_cross_entropy(logits, [0, 1])
    loss.backward()
    assert loss.item() == pytest.approx(math.log(2) / 2, rel=1e-6)
    assert np.isfinite(logits.grad).all()


def test_float32_stays_float32():
    logits = gn.tensor(np.zeros((3, 10)), requires_grad=True)
    loss = softmax_cross_entropy(logits, [1, 2, 3])
    loss.backward()
    assert loss.dtype == np.float32 and logits.grad.dtype == np.float32
    assert loss.item() == pytest.approx(math.log(10), rel=1e-6)


@pytest.mark.parametrize(("reduction", "shape"), [("mean", ()), ("sum", ()), ("none", (0,))])
def test_empty_batch_gives_zero_loss_and_empty_gradient(reduction, shape):
    logits = gn.zeros(0, 5, requires_grad=True)
    loss = softmax_cross_entropy(logits, np.zeros(0, dtype=np.int64), reduction=reduction)
    assert loss.shape == shape
    assert loss.data.sum() == 0
    loss.sum().backward()
    assert logits.grad.shape == (0, 5)


@pytest.mark.parametrize("as_labels", [list, np.uint8, gn.tensor], ids=["list", "uint8", "Tensor"])
def test_accepts_labels_as_list_unsigned_array_or_tensor(as_labels):
    labels = [0, 3, 1, 2, 2]
    given = np.asarray(labels, dtype=np.uint8) if as_labels is np.uint8 else as_labels(labels)
    expected = softmax_cross_entropy(_logits(), np.array(labels)).item()
    assert softmax_cross_entropy(_logits(), given).item() == expected


def test_rejects_boolean_class_ids():
    with pytest.raises(DTypeError, match="expected integer class ids, but got dtype bool"):
        softmax_cross_entropy(gn.zeros(2, 2), np.array([True, False]))


def test_rejects_float_class_ids():
    with pytest.raises(DTypeError, match="expected integer class ids, but got dtype float64"):
        softmax_cross_entropy(_logits(), np.array([0.0, 1.0, 2.0, 3.0, 0.0]))


@pytest.mark.parametrize(
    ("labels", "low", "high"), [([0, 1, -1, 2, 3], -1, 3), ([0, 4, 1, 1, 2], 0, 4)]
)
def test_rejects_out_of_range_class_ids_naming_min_and_max(labels, low, high):
    with pytest.raises(ValueError, match=rf"in \[0, 3\].*min {low} and max {high}"):
        softmax_cross_entropy(_logits(), labels)


def test_rejects_wrong_number_of_labels():
    with pytest.raises(ShapeError, match=r"shape \(5,\).*but got shape \(4,\)"):
        softmax_cross_entropy(_logits(), [0, 1, 2, 3])


def test_rejects_logits_that_are_not_a_matrix():
    with pytest.raises(ShapeError, match=r"logits of shape \(N, C\), but got shape \(4,\)"):
        softmax_cross_entropy(gn.zeros(4), [1])


def test_rejects_probability_targets_of_wrong_shape():
    with pytest.raises(ShapeError, match=r"probability targets .*\(5, 4\), but got \(5, 3\)"):
        softmax_cross_entropy(_logits(), np.full((5, 3), 1 / 3))


def test_rejects_unknown_reduction_and_bad_smoothing():
    with pytest.raises(ConfigError, match="reduction to be one of 'mean', 'sum', 'none'"):
        softmax_cross_entropy(_logits(), _labels(), reduction="average")
    with pytest.raises(ConfigError, match=r"label_smoothing in \[0, 1\], but got 1.5"):
        softmax_cross_entropy(_logits(), _labels(), label_smoothing=1.5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.15])
@pytest.mark.parametrize("probabilities", [False, True])
def test_matches_torch(reduction, label_smoothing, probabilities):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 5)) * 3
    labels = rng.integers(0, 5, size=6)
    targets = rng.dirichlet(np.ones(5), size=6) if probabilities else labels
    logits = gn.tensor(x, dtype="float64", requires_grad=True)
    loss = softmax_cross_entropy(
        logits, targets, reduction=reduction, label_smoothing=label_smoothing
    )
    loss.sum().backward()
    x_torch = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        x_torch, torch.tensor(targets), reduction=reduction, label_smoothing=label_smoothing
    )
    expected.sum().backward()
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(logits.grad, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)
