"""Parameters whose gradients start late or come and go: each keeps its own state and step.

A parameter without a gradient in a step (frozen, or unused by that batch's forward pass) is
skipped and keeps its state; its bias correction (Adam), its learning-rate decay (Adagrad)
and its moving averages count only the steps in which it was updated. A mutation audit
found that using the optimizer's global step instead went unnoticed, so every optimizer
with per-parameter state is checked here with three parameters: one updated on every step,
one whose first gradient comes at step 4, and one that skips steps.
"""

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from tests.optim.test_optimizers import TORCH_CASES

STEPS = 6
# The steps (1-based) in which each parameter has a gradient.
SCHEDULES = {"always": {1, 2, 3, 4, 5, 6}, "late": {4, 5, 6}, "intermittent": {1, 3, 6}}
P0, G = 1.0, 2.0  # every parameter starts at P0 and always receives the same gradient G


def _adamw_update(p, k):
    return p * (1 - 0.1 * 0.5) - 0.1  # decay by lr·λ, then Adam's −lr·sign(g)


# name: (constructor, the parameter after its k-th own update from p, derived by hand for a
# constant gradient G = 2 with eps = 0)
HAND_CASES = {
    # b_k = Σ_{i<k} μ^i·g = g(1 − μ^k)/(1 − μ), the buffer starting at g on the first update.
    "sgd_momentum": (
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5),
        lambda p, k: p - 0.1 * G * (1 - 0.5**k) / (1 - 0.5),
    ),
    "sgd_nesterov": (
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5, nesterov=True),
        lambda p, k: p - 0.1 * (G + 0.5 * G * (1 - 0.5**k) / (1 - 0.5)),
    ),
    # G_k = k·g², lr_k = lr / (1 + (k − 1)·decay): the update is lr_k / √k.
    "adagrad_lr_decay": (
        lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.5, eps=0.0),
        lambda p, k: p - 0.1 / (1 + (k - 1) * 0.5) / math.sqrt(k),
    ),
    # E[g²]_k = (1 − α^k)·g²: the update is lr / √(1 − α^k).
    "rmsprop": (
        lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.5, eps=0.0),
        lambda p, k: p - 0.1 / math.sqrt(1 - 0.5**k),
    ),
    # m_k = (1 − β1^k)·g and v_k = (1 − β2^k)·g², so the bias-corrected m̂ = g, v̂ = g² and
    # every update is exactly lr·sign(g) — if and only if t counts this parameter's updates.
    "adam": (lambda ps: optim.Adam(ps, lr=0.1, eps=0.0), lambda p, k: p - 0.1),
    "adam_amsgrad": (
        lambda ps: optim.Adam(ps, lr=0.1, eps=0.0, amsgrad=True),
        lambda p, k: p - 0.1,
    ),
    "adamw": (lambda ps: optim.AdamW(ps, lr=0.1, eps=0.0, weight_decay=0.5), _adamw_update),
}


@pytest.mark.parametrize("name", HAND_CASES)
def test_each_parameter_counts_only_its_own_updates(name):
    make, update = HAND_CASES[name]
    params = {key: gn.tensor([P0], dtype="float64", requires_grad=True) for key in SCHEDULES}
    optimizer = make(list(params.values()))
    expected = dict.fromkeys(SCHEDULES, P0)
    own_updates = dict.fromkeys(SCHEDULES, 0)
    for step in range(1, STEPS + 1):
        optimizer.zero_grad()
        for key, param in params.items():
            if step in SCHEDULES[key]:
                param.grad = np.array([G])
                own_updates[key] += 1
                expected[key] = update(expected[key], own_updates[key])
        optimizer.step()
        for key, param in params.items():
            assert param.data[0] == pytest.approx(expected[key], rel=1e-13), (key, step)


def test_adam_first_update_at_step_four_is_a_first_step():
    """The survivor of the audit, spelled out: a parameter first updated at global step 4
    moves by exactly lr, as a fresh Adam's first step does (with t = 4 it would move
    lr·√(1 − β2⁴)/(1 − β1⁴) ≈ 0.58·lr)."""
    early, late = (gn.tensor([0.9], dtype="float64", requires_grad=True) for _ in range(2))
    optimizer = optim.Adam([early, late], lr=0.1)
    for step in range(1, 5):
        early.grad = np.array([0.3])
        late.grad = np.array([0.3]) if step == 4 else None
        optimizer.step()
    assert optimizer.state[1].step == 1 and optimizer.state[0].step == 4
    assert late.data[0] == pytest.approx(0.8, rel=1e-7)  # 0.9 − lr·g/(|g| + ε)


def _gradient(values, step):
    """A smooth gradient that changes from step to step."""
    return np.sin(3.0 * values + step) + 0.5 * values


@pytest.mark.parametrize(
    ("name", "options"), TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)]
)
def test_late_and_intermittent_gradients_match_torch_optim(name, options):
    torch = pytest.importorskip("torch", reason="torch.optim is the optional reference")
    starts = {key: np.linspace(-1.0, 1.5, 3) + i for i, key in enumerate(SCHEDULES)}
    ours = {key: gn.tensor(start, dtype="float64", requires_grad=True)
            for key, start in starts.items()}
    theirs = {key: torch.tensor(start, requires_grad=True) for key, start in starts.items()}
    optimizer = getattr(optim, name)(list(ours.values()), **options)
    reference = getattr(torch.optim, name)(list(theirs.values()), **options)
    for step in range(1, STEPS + 3):
        for key in SCHEDULES:
            if step in SCHEDULES[key] or step > STEPS:  # all of them in the last two steps
                ours[key].grad = _gradient(ours[key].data, step)
                theirs[key].grad = torch.tensor(_gradient(theirs[key].detach().numpy(), step))
            else:
                ours[key].grad = theirs[key].grad = None
        optimizer.step()
        reference.step()
    for key in SCHEDULES:
        np.testing.assert_allclose(ours[key].data, theirs[key].detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=key)
