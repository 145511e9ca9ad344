"""Every first-order optimizer: a hand-computed step, torch, convergence, state round trip."""

import json
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.errors import ConfigError, DTypeError, StateDictError
from glassnet.nn.linear import Linear
from glassnet.optim.sgd import course_momentum_step


def _param(values, dtype="float64"):
    return gn.tensor(values, dtype=dtype, requires_grad=True)


def _step_with(optimizer, param, grad):
    param.grad = np.asarray(grad, dtype=param.dtype)
    optimizer.step()


# ----- one step by hand ---------------------------------------------------------------------

P0, G = np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -4.0])

HAND_CASES = {
    # name: (constructor, expected parameters after two steps with the same gradient G)
    "sgd": (lambda p: optim.SGD(p, lr=0.1), P0 - 0.1 * G - 0.1 * G),
    "sgd_momentum": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        P0 - 0.1 * G - 0.1 * (0.9 * G + G),
    ),
    "sgd_nesterov": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        P0 - 0.1 * (G + 0.9 * G) - 0.1 * (G + 0.9 * 1.9 * G),
    ),
    "sgd_dampening": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.5),
        P0 - 0.1 * G - 0.1 * (0.5 * G + 0.5 * G),
    ),
    "adagrad": (
        lambda p: optim.Adagrad(p, lr=0.1, eps=0.0),
        P0 - 0.1 * np.sign(G) - 0.1 * G / np.sqrt(2 * G**2),
    ),
    "rmsprop": (
        lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0),
        P0 - 0.01 * G / np.sqrt(0.1 * G**2) - 0.01 * G / np.sqrt((0.09 + 0.1) * G**2),
    ),
    "adam": (
        # step 1: m̂ = g, v̂ = g²  ->  −lr·sign(g);  step 2: m̂ = g, v̂ = g² again.
        lambda p: optim.Adam(p, lr=0.1, eps=0.0),
        P0 - 0.2 * np.sign(G),
    ),
}


@pytest.mark.parametrize("name", HAND_CASES)
def test_two_steps_match_the_hand_computed_update(name):
    make, expected = HAND_CASES[name]
    param = _param(P0)
    optimizer = make([param])
    _step_with(optimizer, param, G)
    _step_with(optimizer, param, G)
    np.testing.assert_allclose(param.data, expected, rtol=1e-14, atol=1e-15)


def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    param = _param(P0)
    _step_with(optim.SGD([param], lr=0.1, weight_decay=0.2), param, G)
    np.testing.assert_allclose(param.data, P0 - 0.1 * (G + 0.2 * P0), rtol=1e-15)


def test_adam_weight_decay_is_l2_and_adamw_is_decoupled():
    adam_param, adamw_param = _param(P0), _param(P0)
    _step_with(optim.Adam([adam_param], lr=0.1, weight_decay=0.3, eps=0.0), adam_param, G)
    _step_with(optim.AdamW([adamw_param], lr=0.1, weight_decay=0.3, eps=0.0), adamw_param, G)
    np.testing.assert_allclose(adam_param.data, P0 - 0.1 * np.sign(G + 0.3 * P0), rtol=1e-15)
    np.testing.assert_allclose(
        adamw_param.data, P0 * (1 - 0.1 * 0.3) - 0.1 * np.sign(G), rtol=1e-15
    )


def test_adam_bias_correction_on_step_two_with_changing_gradient():
    param = _param([0.0])
    optimizer = optim.Adam([param], lr=1.0, betas=(0.5, 0.75), eps=0.0)
    _step_with(optimizer, param, [2.0])
    _step_with(optimizer, param, [4.0])
    m = 0.5 * (0.5 * 2.0) + 0.5 * 4.0  # 3.0
    v = 0.75 * (0.25 * 4.0) + 0.25 * 16.0  # 4.75
    m_hat, v_hat = m / (1 - 0.25), v / (1 - 0.75**2)
    assert param.data[0] == pytest.approx(-1.0 - m_hat / math.sqrt(v_hat), rel=1e-14)


@pytest.mark.parametrize(
    ("make", "expected_move"),
    [
        # lr·g / (√(g²) + ε) = 0.1·1e-6 / 2e-6; with ε inside the root it would be ≈ 1e-4.
        (lambda p: optim.Adagrad(p, lr=0.1, eps=1e-6), 0.05),
        # lr·g / (√((1 − α)·g²) + ε) = 0.1·1e-6 / (0.5e-6 + 1e-6)
        (lambda p: optim.RMSprop(p, lr=0.1, alpha=0.75, eps=1e-6), 0.1 / 1.5),
        # lr·m̂ / (√v̂ + ε) with m̂ = g, v̂ = g²; ε before the bias correction would be ≈ 0.0031
        (lambda p: optim.Adam(p, lr=0.1, eps=1e-6), 0.05),
    ],
    ids=["adagrad", "rmsprop", "adam"],
)
def test_epsilon_is_added_outside_the_root_as_documented(make, expected_move):
    """Only a gradient as small as ε shows where ε goes: g = 1e-6 with ε = 1e-6."""
    param = _param([1.0])
    _step_with(make([param]), param, [1e-6])
    assert 1.0 - param.data[0] == pytest.approx(expected_move, rel=1e-9)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_equals_the_course_form_at_constant_lr(nesterov):
    """PyTorch's b = μb + g; θ −= lr·b is the course's v = μv − lr·dx; x += v (b = −v/lr)."""
    param = _param([3.0, -1.0])
    optimizer = optim.SGD([param], lr=0.05, momentum=0.8, nesterov=nesterov)
    x, v = np.array([3.0, -1.0]), np.zeros(2)
    for _ in range(10):
        grad = np.array([1.0, 20.0]) * x  # the ravine's gradient
        x, v = course_momentum_step(x, v, grad, lr=0.05, mu=0.8, nesterov=nesterov)
        _step_with(optimizer, param, np.array([1.0, 20.0]) * param.data)
    np.testing.assert_allclose(param.data, x, rtol=1e-12)


# ----- against torch.optim ------------------------------------------------------------------

TORCH_CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
]

_A = np.random.default_rng(0).standard_normal((4, 3))


def _test_gradient(weight, bias):
    """∇ of Σ(A·w + b)² / 2 + 0.1·Σ w⁴ — a smooth, non-quadratic problem."""
    residual = _A @ weight + bias
    return _A.T @ residual + 0.4 * weight**3, residual.sum(axis=0)


@pytest.mark.parametrize(
    ("name", "options"), TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)]
)
def test_twenty_steps_match_torch_optim(name, options):
    torch = pytest.importorskip("torch", reason="torch.optim is the optional reference")
    start_w, start_b = np.array([[1.0, -0.5], [0.3, 2.0], [-1.2, 0.7]]), np.array([0.1, -0.2])
    ours = [_param(start_w), _param(start_b)]
    theirs = [torch.tensor(start_w, requires_grad=True), torch.tensor(start_b, requires_grad=True)]
    optimizer = getattr(optim, name)(ours, **options)
    reference = getattr(torch.optim, name)(theirs, **options)
    for _ in range(20):
        for params, to_array in ((ours, lambda t: t.data), (theirs, lambda t: t.detach().numpy())):
            grad_w, grad_b = _test_gradient(to_array(params[0]), to_array(params[1]))
            if params is ours:
                params[0].grad, params[1].grad = grad_w, grad_b
            else:
                params[0].grad, params[1].grad = torch.tensor(grad_w), torch.tensor(grad_b)
        optimizer.step()
        reference.step()
    for mine, ref in zip(ours, theirs):
        np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=1e-6, atol=1e-9)


# ----- convergence --------------------------------------------------------------------------


def _ravine_gradient(p):
    """f(x, y) = (x² + 100·y²) / 2: shallow along x, steep along y (the course's picture)."""
    return np.array([p[0], 100.0 * p[1]])


def _rosenbrock_gradient(p):
    """f(x, y) = (1 − x)² + 100·(y − x²)², minimum at (1, 1) in a curved valley."""
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


CONVERGENCE_CASES = [
    # (problem, start, minimum, optimizer, options, step budget)
    ("ravine", "SGD", {"lr": 0.019}, 700),
    ("ravine", "SGD", {"lr": 0.01, "momentum": 0.9}, 300),
    ("ravine", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}, 300),
    ("ravine", "Adagrad", {"lr": 0.5}, 500),
    ("ravine", "RMSprop", {"lr": 0.01}, 1200),
    ("ravine", "Adam", {"lr": 0.1}, 300),
    ("ravine", "AdamW", {"lr": 0.1, "weight_decay": 0.0}, 300),
    ("rosenbrock", "SGD", {"lr": 1.5e-3}, 15000),
    ("rosenbrock", "SGD", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}, 3000),
    ("rosenbrock", "Adagrad", {"lr": 1.0}, 16000),
    ("rosenbrock", "RMSprop", {"lr": 1e-3, "momentum": 0.5}, 5000),
    ("rosenbrock", "RMSprop", {"lr": 1e-3, "centered": True}, 9000),
    ("rosenbrock", "Adam", {"lr": 0.05}, 2500),
    ("rosenbrock", "Adam", {"lr": 0.02, "amsgrad": True}, 6000),
    ("rosenbrock", "AdamW", {"lr": 0.05, "weight_decay": 0.0}, 2500),
]
PROBLEMS = {
    "ravine": (_ravine_gradient, [-5.0, 1.0], [0.0, 0.0]),
    "rosenbrock": (_rosenbrock_gradient, [-1.5, 2.0], [1.0, 1.0]),
}


@pytest.mark.parametrize(
    ("problem", "name", "options", "budget"),
    CONVERGENCE_CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CONVERGENCE_CASES)],
)
def test_converges_to_the_minimum(problem, name, options, budget):
    gradient, start, minimum = PROBLEMS[problem]
    param = _param(start)
    optimizer = getattr(optim, name)([param], **options)
    for _ in range(budget):
        _step_with(optimizer, param, gradient(param.data))
        if np.abs(param.data - minimum).max() < 1e-3:
            break
    np.testing.assert_allclose(param.data, minimum, atol=1e-3)


def test_trains_a_model_through_autograd():
    rng = np.random.default_rng(1)
    x = gn.tensor(rng.standard_normal((64, 3)))
    true_w = np.array([[2.0], [-1.0], [0.5]], dtype=np.float32)
    y = gn.tensor(x.data @ true_w)
    w = gn.zeros(3, 1, requires_grad=True)
    optimizer = optim.Adam([w], lr=0.05)
    for _ in range(400):
        optimizer.zero_grad()
        residual = x @ w - y
        (residual * residual).mean().backward()
        optimizer.step()
    np.testing.assert_allclose(w.data, true_w, atol=1e-3)


# ----- the shared loop ----------------------------------------------------------------------


def test_parameters_without_gradient_are_skipped_and_keep_no_state():
    used, unused = _param([1.0]), _param([5.0])
    optimizer = optim.Adam([used, unused], lr=0.1)
    _step_with(optimizer, used, [1.0])
    assert unused.data[0] == 5.0
    assert list(optimizer.state) == [0]
    assert optimizer.step_count == 1


def test_parameter_groups_have_their_own_lr_and_weight_decay():
    weight, bias = _param([1.0]), _param([1.0])
    optimizer = optim.SGD(
        [{"params": [weight], "weight_decay": 1.0}, {"params": [bias], "lr": 0.5}], lr=0.1
    )
    weight.grad, bias.grad = np.array([0.0]), np.array([1.0])
    optimizer.step()
    assert weight.data[0] == pytest.approx(1.0 - 0.1 * 1.0)
    assert bias.data[0] == pytest.approx(1.0 - 0.5)


def test_lr_schedule_is_called_with_the_number_of_steps_taken():
    seen = []
    param = _param([0.0])

    def schedule(step):
        seen.append(step)
        return 0.1 * (step + 1)

    optimizer = optim.SGD([param], lr=schedule)
    for _ in range(3):
        _step_with(optimizer, param, [1.0])
    assert seen == [0, 1, 2]
    assert param.data[0] == pytest.approx(-(0.1 + 0.2 + 0.3))
    assert optimizer.current_lr() == pytest.approx(0.4)


def test_schedule_returning_negative_lr_is_an_error():
    param = _param([0.0])
    param.grad = np.array([1.0])
    with pytest.raises(ConfigError, match="schedule returned -1.0 at step 0"):
        optim.SGD([param], lr=lambda step: -1.0).step()


def test_zero_grad_sets_gradients_to_none():
    param = _param([1.0])
    param.grad = np.array([1.0])
    optimizer = optim.SGD([param], lr=0.1)
    optimizer.zero_grad()
    assert param.grad is None


def test_step_calls_the_closure_and_returns_its_loss():
    param = _param([3.0])
    optimizer = optim.SGD([param], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    assert loss.item() == 9.0
    assert param.data[0] == pytest.approx(3.0 - 0.25 * 6.0)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_float32_parameters_and_state_stay_float32(name):
    param = _param(np.ones((3, 2)), dtype="float32")
    optimizer = getattr(optim, name)([param], lr=0.01, weight_decay=0.1)
    for _ in range(2):
        _step_with(optimizer, param, np.full((3, 2), 0.5))
    assert param.data.dtype == np.float32
    for value in optimizer.state_dict()["state"][0].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32


def test_updates_are_in_place_on_param_data():
    param = _param([1.0, 2.0])
    data = param.data
    optimizer = optim.Adam([param], lr=0.1)
    _step_with(optimizer, param, [1.0, 1.0])
    assert param.data is data
    assert param.grad[0] == 1.0  # the gradient itself is not modified


# ----- state_dict ---------------------------------------------------------------------------

ROUND_TRIP_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("Adagrad", {"lr": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
]


def _through_json(state_dict):
    """What a checkpoint does: arrays to a tensor file, everything else through JSON."""
    arrays = {}

    def strip(value, key):
        if isinstance(value, np.ndarray):
            arrays[key] = value
            return {"__array__": key}
        if isinstance(value, dict):
            return {str(k): strip(v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v, f"{key}.{i}") for i, v in enumerate(value)]
        return value

    def restore(value):
        if isinstance(value, dict):
            if "__array__" in value:
                return arrays[value["__array__"]].copy()
            return {k: restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        return value

    return restore(json.loads(json.dumps(strip(state_dict, "root"))))


@pytest.mark.parametrize(
    ("name", "options"), ROUND_TRIP_CASES, ids=[c[0] for c in ROUND_TRIP_CASES]
)
def test_state_dict_round_trip_continues_identically(name, options):
    def gradients(params):
        return [p.data * 0.7 + np.sin(p.data) for p in params]

    def run(optimizer, params, steps):
        for _ in range(steps):
            for param, grad in zip(params, gradients(params)):
                param.grad = grad
            optimizer.step()

    start = [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.3, -0.1])]
    params = [_param(a) for a in start]
    optimizer = getattr(optim, name)(
        [{"params": params[:1]}, {"params": params[1:], "lr": 0.02}], **options
    )
    run(optimizer, params, 5)
    saved, snapshot = _through_json(optimizer.state_dict()), [p.data.copy() for p in params]
    run(optimizer, params, 5)

    resumed_params = [_param(a) for a in snapshot]
    resumed = getattr(optim, name)(
        [{"params": resumed_params[:1]}, {"params": resumed_params[1:], "lr": 0.02}], **options
    )
    resumed.load_state_dict(saved)
    run(resumed, resumed_params, 5)
    assert resumed.step_count == optimizer.step_count == 10
    for mine, reference in zip(resumed_params, params):
        np.testing.assert_array_equal(mine.data, reference.data)


def test_state_dict_layout_is_documented_shape():
    param = _param([1.0, 2.0])
    optimizer = optim.Adam([param], lr=lambda step: 0.1)
    _step_with(optimizer, param, [1.0, 1.0])
    state = optimizer.state_dict()
    assert state["type"] == "Adam" and state["step"] == 1
    assert state["groups"] == [{"params": [0], "lr": None, "weight_decay": 0.0}]
    assert state["hyperparameters"] == {"betas": [0.9, 0.999], "eps": 1e-8, "amsgrad": False}
    assert set(state["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    state["state"][0]["exp_avg"][:] = 99.0  # a copy: the optimizer is unaffected
    assert optimizer.state[0].exp_avg[0] != 99.0


def test_load_state_dict_rejects_another_optimizer_or_other_parameters():
    param = _param([1.0, 2.0])
    adam = optim.Adam([param], lr=0.1)
    _step_with(adam, param, [1.0, 1.0])
    with pytest.raises(StateDictError, match="expected the state of a SGD, but got one of 'Adam'"):
        optim.SGD([param], lr=0.1).load_state_dict(adam.state_dict())
    with pytest.raises(StateDictError, match=r"groups of sizes \[2\]"):
        optim.Adam([param, _param([0.0])], lr=0.1).load_state_dict(adam.state_dict())
    with pytest.raises(StateDictError, match=r"shape \(2,\), but the parameter has shape \(3,\)"):
        optim.Adam([_param([0.0, 0.0, 0.0])], lr=0.1).load_state_dict(adam.state_dict())
    tampered = adam.state_dict()
    tampered["hyperparameters"]["momentum"] = 0.9
    with pytest.raises(StateDictError, match=r"unknown hyperparameters \['momentum'\]"):
        optim.Adam([param], lr=0.1).load_state_dict(tampered)


# ----- bad configuration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda p: optim.SGD(p, lr=0.0), ConfigError, "lr to be a number > 0"),
        (lambda p: optim.SGD(p, lr=-1e-3), ConfigError, "lr to be a number > 0"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=1.0), ConfigError, r"momentum in \[0.0, 1.0\)"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ConfigError, "Nesterov momentum needs"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), ConfigError, "weight_decay >= 0"),
        (lambda p: optim.Adam(p, betas=(0.9,)), ConfigError, "betas as a pair"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), ConfigError, r"betas\[1\] in \[0.0, 1.0\)"),
        (lambda p: optim.RMSprop(p, alpha=1.5), ConfigError, "alpha in"),
        (lambda p: optim.Adagrad(p, eps=-1.0), ConfigError, "eps in"),
        (lambda p: optim.SGD(p[0], lr=0.1), ConfigError, "single Tensor"),
        (lambda p: optim.SGD([], lr=0.1), ConfigError, "at least one parameter"),
        (lambda p: optim.SGD(p + p, lr=0.1), ConfigError, "appears twice"),
        (lambda p: optim.SGD([np.zeros(2)], lr=0.1), DTypeError, "got ndarray"),
        (
            lambda p: optim.SGD([{"params": p, "momentum": 0.9}], lr=0.1),
            ConfigError,
            "'params', 'lr', 'weight_decay'",
        ),
    ],
)
def test_rejects_bad_configuration(make, error, message):
    with pytest.raises(error, match=message):
        make([_param([1.0])])


def test_trains_a_linear_classifier_module_with_cross_entropy():
    from glassnet.nn.loss import CrossEntropyLoss

    rng = np.random.default_rng(2)
    centers = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, size=150)
    x = gn.tensor(centers[labels] + rng.standard_normal((150, 2)))
    gn.manual_seed(0)
    model = Linear(2, 3)
    optimizer = optim.AdamW(model.parameters(), lr=0.05)
    loss_fn = CrossEntropyLoss()
    first = None
    for _ in range(100):
        optimizer.zero_grad()
        loss = loss_fn(model(x), labels)
        first = loss.item() if first is None else first
        loss.backward()
        optimizer.step()
    accuracy = (model(x).data.argmax(axis=1) == labels).mean()
    assert loss.item() < first / 4 and accuracy > 0.95
