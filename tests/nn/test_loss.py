"""Loss functions and modules: hand-checked values, gradchecks, bad inputs, torch."""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import ConfigError, DTypeError, ShapeError
from glassnet.nn import loss as L


def _f64(array, requires_grad=True):
    return gn.tensor(array, dtype="float64", requires_grad=requires_grad)


def _random(shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


COURSE_SCORES = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]  # cat, car, frog
COURSE_LABELS = [0, 1, 2]


# ----- cross-entropy ------------------------------------------------------------------------


def test_cross_entropy_of_small_random_model_starts_near_ln_10():
    rng = np.random.default_rng(0)
    x = gn.tensor(rng.standard_normal((256, 50)))
    weight = gn.tensor(0.0001 * rng.standard_normal((50, 10)))
    loss = L.cross_entropy(x @ weight, rng.integers(0, 10, size=256))
    assert loss.item() == pytest.approx(2.302, abs=1e-3)


def test_cross_entropy_gradcheck_with_label_smoothing():
    labels = np.array([0, 2, 1, 2])
    gn.gradcheck(lambda x: L.cross_entropy(x, labels, label_smoothing=0.1), [_f64(_random((4, 3)))])


def test_cross_entropy_error_names_the_function():
    with pytest.raises(ValueError, match=r"cross_entropy: expected class ids in \[0, 2\]"):
        L.cross_entropy(gn.zeros(2, 3), [0, 3])


# ----- multiclass SVM -----------------------------------------------------------------------


def test_multi_margin_loss_reproduces_the_course_example():
    scores = _f64(COURSE_SCORES)
    losses = L.multi_margin_loss(scores, COURSE_LABELS, reduction="none")
    np.testing.assert_allclose(losses.data, [2.9, 0.0, 12.9], atol=1e-12)
    mean = L.multi_margin_loss(scores, COURSE_LABELS).item()
    assert mean == pytest.approx((2.9 + 0 + 12.9) / 3, abs=1e-12)


def test_squared_multi_margin_loss_on_the_course_example():
    losses = L.multi_margin_loss(_f64(COURSE_SCORES), COURSE_LABELS, p=2, reduction="none")
    # cat: 2.9²;  car: 0;  frog: 6.3² + 6.6²
    np.testing.assert_allclose(losses.data, [8.41, 0.0, 39.69 + 43.56], atol=1e-10)


def test_multi_margin_loss_gradient_counts_violating_classes():
    scores = _f64(COURSE_SCORES)
    L.multi_margin_loss(scores, COURSE_LABELS, reduction="sum").backward()
    # cat: car violates (+1), cat itself gets −1; car: nothing; frog: cat, car violate (−2).
    expected = [[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]
    np.testing.assert_array_equal(scores.grad, expected)


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_gradcheck(p):
    labels = np.array([0, 3, 1, 2, 2])
    gn.gradcheck(lambda s: L.multi_margin_loss(s, labels, p=p), [_f64(_random((5, 4), scale=2))])


@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_is_torch_times_number_of_classes(p):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    x, labels = _random((6, 4), seed=2, scale=2), np.array([0, 1, 2, 3, 0, 1])
    scores = _f64(x)
    L.multi_margin_loss(scores, labels, p=p, reduction="none").sum().backward()
    x_t = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.multi_margin_loss(x_t, torch.tensor(labels), p=p, reduction="none")
    (ref * 4).sum().backward()
    np.testing.assert_allclose(
        L.multi_margin_loss(_f64(x), labels, p=p, reduction="none").data,
        (ref * 4).detach().numpy(),
        rtol=1e-12,
    )
    np.testing.assert_allclose(scores.grad, x_t.grad.numpy(), rtol=1e-12)


def test_multi_margin_loss_rejects_bad_options():
    with pytest.raises(ConfigError, match="p to be 1 or 2, but got 3"):
        L.multi_margin_loss(gn.zeros(2, 3), [0, 1], p=3)
    with pytest.raises(ConfigError, match="margin > 0"):
        L.multi_margin_loss(gn.zeros(2, 3), [0, 1], margin=0)
    with pytest.raises(DTypeError, match="multi_margin_loss: expected integer class ids"):
        L.multi_margin_loss(gn.zeros(2, 3), [0.0, 1.0])


# ----- regression ---------------------------------------------------------------------------


def test_mse_and_l1_on_hand_values():
    x, t = _f64([[1.0, -2.0], [0.5, 3.0]]), np.array([[0.0, 0.0], [0.5, 1.0]])
    assert L.mse_loss(x, t).item() == pytest.approx((1 + 4 + 0 + 4) / 4)
    assert L.mse_loss(x, t, reduction="sum").item() == pytest.approx(9.0)
    assert L.l1_loss(x, t).item() == pytest.approx((1 + 2 + 0 + 2) / 4)
    np.testing.assert_allclose(L.l1_loss(x, t, reduction="none").data, [[1, 2], [0, 2]])


@pytest.mark.parametrize("fn", [L.mse_loss, L.l1_loss])
def test_regression_losses_gradcheck_for_input_and_target(fn):
    gn.gradcheck(fn, [_f64(_random((3, 4), seed=1)), _f64(_random((3, 4), seed=2))])


@pytest.mark.parametrize("fn", [L.mse_loss, L.l1_loss])
def test_regression_losses_refuse_to_broadcast_targets(fn):
    with pytest.raises(ShapeError, match=r"target of the input's shape \(4, 1\), but got \(4,\)"):
        fn(gn.zeros(4, 1), np.zeros(4, dtype=np.float32))


def test_mse_rejects_integer_targets():
    with pytest.raises(DTypeError, match="mse_loss: expected floating targets, but got dtype int"):
        L.mse_loss(gn.zeros(2), np.array([1, 2]))


def test_mse_keeps_float32_with_float64_array_targets():
    assert L.mse_loss(gn.zeros(3), np.ones(3)).dtype == np.float32


# ----- binary cross-entropy -----------------------------------------------------------------


def test_bce_with_logits_on_hand_values():
    x = _f64([0.0, 2.0, -1.0])
    t = np.array([1.0, 0.0, 1.0])
    expected = [math.log(2), math.log(1 + math.e**2), math.log(1 + math.e)]
    got = L.binary_cross_entropy_with_logits(x, t, reduction="none").data
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_bce_with_logits_is_stable_for_huge_logits():
    x = gn.tensor([1000.0, -1000.0, 1000.0], requires_grad=True)
    losses = L.binary_cross_entropy_with_logits(x, [1, 0, 0], reduction="none")
    np.testing.assert_allclose(losses.data, [0.0, 0.0, 1000.0])
    losses.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0])


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    x = _f64([0.0, 0.0])
    L.binary_cross_entropy_with_logits(x, [1.0, 0.0], reduction="sum").backward()
    np.testing.assert_allclose(x.grad, [-0.5, 0.5])


def test_bce_with_logits_gradcheck():
    t = np.random.default_rng(4).random((3, 2))
    gn.gradcheck(lambda x: L.binary_cross_entropy_with_logits(x, t), [_f64(_random((3, 2), 3, 3))])


def test_bce_with_logits_rejects_wrong_shape():
    with pytest.raises(ShapeError, match="binary_cross_entropy_with_logits"):
        L.binary_cross_entropy_with_logits(gn.zeros(3), [1, 0])


def test_bce_on_probabilities_hand_values_and_clamp():
    p = _f64([0.5, 0.9, 0.2])
    losses = L.binary_cross_entropy(p, [1.0, 1.0, 0.0], reduction="none")
    np.testing.assert_allclose(losses.data, [math.log(2), -math.log(0.9), -math.log(0.8)])
    clamped = L.binary_cross_entropy(_f64([0.0, 1.0]), [1.0, 0.0], reduction="none")
    np.testing.assert_allclose(clamped.data, [100.0, 100.0])


def test_bce_on_probabilities_matches_torch_and_gradcheck():
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    rng = np.random.default_rng(20)
    p, t = rng.uniform(0.05, 0.95, (4, 3)), rng.random((4, 3))
    probs = _f64(p)
    L.binary_cross_entropy(probs, t).backward()
    p_t = torch.tensor(p, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy(p_t, torch.tensor(t))
    ref.backward()
    assert L.binary_cross_entropy(_f64(p), t).item() == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(probs.grad, p_t.grad.numpy(), rtol=1e-10)
    gn.gradcheck(lambda q: L.binary_cross_entropy(q, t, reduction="sum"), [_f64(p)])


def test_bce_on_probabilities_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match=r"in \[0, 1\], but got min -0.5 and max 2.0"):
        L.binary_cross_entropy(gn.tensor([-0.5, 2.0]), [0.0, 1.0])


# ----- NLL and KL ---------------------------------------------------------------------------


def test_nll_loss_picks_the_target_log_probability():
    log_probs = _f64(np.log([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]))
    loss = L.nll_loss(log_probs, [1, 0, 0])
    assert loss.item() == pytest.approx(-(math.log(0.8) + math.log(0.6) + math.log(0.5)) / 3)
    loss.backward()
    np.testing.assert_allclose(log_probs.grad, [[0, -1 / 3], [-1 / 3, 0], [-1 / 3, 0]])


def test_nll_loss_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match="nll_loss: .*min 0 and max 2"):
        L.nll_loss(gn.zeros(2, 2), [0, 2])


def test_kl_div_on_hand_values_with_zero_targets():
    q = _f64(np.log([[0.25, 0.75], [0.5, 0.5]]))
    p = np.array([[0.0, 1.0], [0.5, 0.5]])
    expected = (math.log(1 / 0.75) + 0.0) / 2  # batchmean; the 0·log 0 term is 0
    assert L.kl_div(q, p).item() == pytest.approx(expected, rel=1e-12)
    assert L.kl_div(q, np.log(p + 1e-300), log_target=True).item() == pytest.approx(
        expected, rel=1e-9
    )


def test_kl_div_gradcheck_for_input_and_target():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.ones(4), size=3)
    gn.gradcheck(L.kl_div, [_f64(np.log(rng.dirichlet(np.ones(4), size=3))), _f64(p)])


def test_kl_div_rejects_unknown_reduction():
    with pytest.raises(ConfigError, match="'batchmean', 'mean', 'sum', 'none'"):
        L.kl_div(gn.zeros(2, 2), np.zeros((2, 2)), reduction="avg")


# torch warns that its "mean" is not the KL divergence; that is the case being compared.
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    rng = np.random.default_rng(6)
    x = np.log(rng.dirichlet(np.ones(5), size=4))
    target = rng.dirichlet(np.ones(5), size=4)
    target[0, 1] = 0.0
    target = np.log(target + 1e-12) if log_target else target
    q = _f64(x)
    got = L.kl_div(q, target, reduction=reduction, log_target=log_target)
    got.sum().backward()
    x_t = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.kl_div(
        x_t, torch.tensor(target), reduction=reduction, log_target=log_target
    )
    ref.sum().backward()
    np.testing.assert_allclose(got.data, ref.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(q.grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-14)


# ----- distillation -------------------------------------------------------------------------


def test_distillation_loss_is_zero_when_student_matches_teacher():
    z = _random((4, 5), seed=7)
    loss = L.distillation_loss(_f64(z), z, [0, 1, 2, 3], temperature=3.0, alpha=1.0)
    assert abs(loss.item()) < 1e-12


def test_distillation_loss_matches_its_formula_and_teacher_gets_no_gradient():
    z_s, z_t, y, T, alpha = _random((4, 5), 8), _random((4, 5), 9, 3), [0, 4, 2, 1], 2.5, 0.7
    student, teacher = _f64(z_s), _f64(z_t)
    loss = L.distillation_loss(student, teacher, y, T, alpha)

    def log_softmax(z):
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    q = np.exp(log_softmax(z_t / T))
    kl = (q * (np.log(q) - log_softmax(z_s / T))).sum() / 4
    ce = -log_softmax(z_s)[np.arange(4), y].mean()
    assert loss.item() == pytest.approx(alpha * T**2 * kl + (1 - alpha) * ce, rel=1e-12)
    loss.backward()
    assert teacher.grad is None
    gn.gradcheck(lambda s: L.distillation_loss(s, z_t, y, T, alpha), [_f64(z_s)])


def test_distillation_loss_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    F = torch.nn.functional
    z_s, z_t, y, T, alpha = _random((6, 3), 10), _random((6, 3), 11), [0, 1, 2, 2, 1, 0], 4.0, 0.5
    student = _f64(z_s)
    L.distillation_loss(student, z_t, y, T, alpha).backward()
    s = torch.tensor(z_s, requires_grad=True)
    soft = F.kl_div(
        F.log_softmax(s / T, dim=1), F.softmax(torch.tensor(z_t) / T, dim=1), reduction="batchmean"
    )
    ref = alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(s, torch.tensor(y))
    ref.backward()
    np.testing.assert_allclose(student.grad, s.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_distillation_loss_rejects_bad_arguments():
    z = gn.zeros(2, 3)
    with pytest.raises(ConfigError, match="temperature > 0"):
        L.distillation_loss(z, np.zeros((2, 3)), [0, 1], 0.0, 0.5)
    with pytest.raises(ConfigError, match=r"alpha in \[0, 1\]"):
        L.distillation_loss(z, np.zeros((2, 3)), [0, 1], 2.0, 1.5)
    with pytest.raises(ShapeError, match=r"teacher_logits of the student's shape \(2, 3\)"):
        L.distillation_loss(z, np.zeros((2, 4)), [0, 1], 2.0, 0.5)


# ----- against torch, element-wise losses ---------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("mse_loss", "mse_loss"),
        ("l1_loss", "l1_loss"),
        ("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits"),
    ],
)
def test_elementwise_losses_match_torch(ours, theirs, reduction):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    rng = np.random.default_rng(12)
    x, t = rng.standard_normal((5, 3)) * 4, rng.random((5, 3))
    inp = _f64(x)
    got = getattr(L, ours)(inp, t, reduction=reduction)
    got.sum().backward()
    x_t = torch.tensor(x, requires_grad=True)
    ref = getattr(torch.nn.functional, theirs)(x_t, torch.tensor(t), reduction=reduction)
    ref.sum().backward()
    np.testing.assert_allclose(got.data, ref.detach().numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(inp.grad, x_t.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    torch = pytest.importorskip("torch", reason="torch is the optional reference")
    x, labels = np.log(np.random.default_rng(13).dirichlet(np.ones(4), size=5)), [3, 0, 1, 1, 2]
    inp = _f64(x)
    got = L.nll_loss(inp, labels, reduction=reduction)
    got.sum().backward()
    x_t = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.nll_loss(x_t, torch.tensor(labels), reduction=reduction)
    ref.sum().backward()
    np.testing.assert_allclose(got.data, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(inp.grad, x_t.grad.numpy(), rtol=1e-12)


# ----- empty batches and modules ------------------------------------------------------------

EMPTY_CASES = [
    ("cross_entropy", lambda: (gn.zeros(0, 3, requires_grad=True), np.zeros(0, np.int64))),
    ("nll_loss", lambda: (gn.zeros(0, 3, requires_grad=True), np.zeros(0, np.int64))),
    ("multi_margin_loss", lambda: (gn.zeros(0, 3, requires_grad=True), np.zeros(0, np.int64))),
    ("mse_loss", lambda: (gn.zeros(0, 3, requires_grad=True), np.zeros((0, 3)))),
    ("l1_loss", lambda: (gn.zeros(0, 3, requires_grad=True), np.zeros((0, 3)))),
    ("binary_cross_entropy_with_logits", lambda: (gn.zeros(0, requires_grad=True), np.zeros(0))),
    ("binary_cross_entropy", lambda: (gn.zeros(0, requires_grad=True), np.zeros(0))),
    ("kl_div", lambda: (gn.zeros(0, 3, requires_grad=True), np.zeros((0, 3)))),
]


@pytest.mark.parametrize(("name", "make"), EMPTY_CASES, ids=[c[0] for c in EMPTY_CASES])
def test_losses_over_an_empty_batch_are_zero_without_warnings(name, make):
    x, target = make()
    loss = getattr(L, name)(x, target)
    assert loss.shape == () and loss.item() == 0.0
    loss.backward()
    assert x.grad.shape == x.shape


MODULE_CASES = [
    (L.CrossEntropyLoss(label_smoothing=0.1), L.cross_entropy, {"label_smoothing": 0.1}, "class"),
    (L.NLLLoss(reduction="sum"), L.nll_loss, {"reduction": "sum"}, "class"),
    (L.MultiMarginLoss(p=2), L.multi_margin_loss, {"p": 2}, "class"),
    (L.MSELoss(), L.mse_loss, {}, "dense"),
    (L.L1Loss(reduction="none"), L.l1_loss, {"reduction": "none"}, "dense"),
    (L.BCEWithLogitsLoss(), L.binary_cross_entropy_with_logits, {}, "dense"),
    (L.BCELoss(reduction="sum"), L.binary_cross_entropy, {"reduction": "sum"}, "probs"),
    (L.KLDivLoss(reduction="sum"), L.kl_div, {"reduction": "sum"}, "dense"),
]


@pytest.mark.parametrize(
    ("module", "fn", "options", "kind"),
    MODULE_CASES,
    ids=[type(c[0]).__name__ for c in MODULE_CASES],
)
def test_loss_modules_call_their_function(module, fn, options, kind):
    x = _f64(_random((4, 3), seed=14))
    if kind == "probs":
        x = _f64(np.random.default_rng(2).random((4, 3)))
    target = np.array([0, 2, 1, 1]) if kind == "class" else np.random.default_rng(1).random((4, 3))
    np.testing.assert_array_equal(module(x, target).data, fn(x, target, **options).data)
    assert type(module).__name__ in repr(module)


def test_distillation_module_calls_its_function():
    z_s, z_t = _f64(_random((3, 4), 15)), _random((3, 4), 16)
    module = L.DistillationLoss(temperature=2.0, alpha=0.3)
    expected = L.distillation_loss(z_s, z_t, [0, 1, 3], 2.0, 0.3)
    assert module(z_s, z_t, [0, 1, 3]).item() == expected.item()
    with pytest.raises(ConfigError, match="temperature > 0 and alpha"):
        L.DistillationLoss(temperature=-1.0, alpha=0.3)


def test_loss_modules_validate_reduction_at_construction():
    with pytest.raises(ConfigError, match="CrossEntropyLoss: expected reduction"):
        L.CrossEntropyLoss(reduction="avg")
