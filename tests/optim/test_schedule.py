"""Learning-rate schedules: values at chosen steps against their formulas."""

import math

import pytest

from glassnet.errors import ConfigError
from glassnet.optim import schedule as S


@pytest.mark.parametrize("step", [0, 1, 7, 10_000])
def test_constant(step):
    assert S.constant(0.3)(step) == 0.3


@pytest.mark.parametrize("step", [0, 4, 5, 14, 15, 31])
def test_step_decay_multiplies_by_gamma_every_step_size(step):
    expected = 0.2 * 0.5 ** (step // 5)
    assert S.step_decay(0.2, step_size=5, gamma=0.5)(step) == pytest.approx(expected)


@pytest.mark.parametrize("step", [0, 1, 10, 100])
def test_exponential_is_alpha0_exp_minus_kt(step):
    assert S.exponential(0.1, rate=0.05)(step) == pytest.approx(0.1 * math.exp(-0.05 * step))


@pytest.mark.parametrize("step", [0, 1, 10, 100])
def test_inverse_time_is_alpha0_over_one_plus_kt(step):
    assert S.inverse_time(0.1, rate=0.5)(step) == pytest.approx(0.1 / (1 + 0.5 * step))


@pytest.mark.parametrize("step", [0, 3, 10, 17, 20, 25, 1000])
def test_cosine_anneals_to_the_floor_and_stays(step):
    expected = 0.01 + (0.5 - 0.01) * (1 + math.cos(math.pi * min(step, 20) / 20)) / 2
    assert S.cosine(0.5, 20, min_lr=0.01)(step) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("step", "position", "length"),
    [(0, 0, 10), (9, 9, 10), (10, 0, 20), (25, 15, 20), (30, 0, 40), (75, 5, 80)],
)
def test_cosine_with_restarts_and_growing_periods(step, position, length):
    expected = (1 + math.cos(math.pi * position / length)) / 2
    schedule = S.cosine(1.0, 10, restarts=True, period_multiplier=2)
    assert schedule(step) == pytest.approx(expected)


@pytest.mark.parametrize("step", [0, 10, 12, 29, 30, 10_005])
def test_cosine_with_fixed_period_restarts_is_periodic(step):
    schedule = S.cosine(1.0, 10, min_lr=0.1, restarts=True)
    expected = 0.1 + 0.9 * (1 + math.cos(math.pi * (step % 10) / 10)) / 2
    assert schedule(step) == pytest.approx(expected)


def test_linear_warmup_ramps_to_the_schedule_then_starts_its_clock():
    inner = S.cosine(0.4, 100)
    schedule = S.linear_warmup(inner, 5)
    assert [schedule(t) for t in range(5)] == pytest.approx([0.08, 0.16, 0.24, 0.32, 0.4])
    for t in (5, 30, 105, 200):
        assert schedule(t) == inner(t - 5)


def test_linear_warmup_composes_with_step_decay():
    schedule = S.linear_warmup(S.step_decay(1.0, 10, 0.1), 2)
    assert [schedule(t) for t in (0, 1, 2, 11, 12)] == pytest.approx([0.5, 1.0, 1.0, 1.0, 0.1])


def test_one_cycle_values_against_its_formula():
    schedule = S.one_cycle(1.0, 100, pct_start=0.25, div_factor=20.0, final_div_factor=100.0)
    initial, final = 1.0 / 20.0, 1.0 / 20.0 / 100.0

    def cos_between(a, b, fraction):
        return b + (a - b) * (1 + math.cos(math.pi * fraction)) / 2

    assert schedule(0) == pytest.approx(initial)
    assert schedule(12) == pytest.approx(cos_between(initial, 1.0, 12 / 24))
    assert schedule(24) == pytest.approx(1.0)
    assert schedule(60) == pytest.approx(cos_between(1.0, final, (60 - 24) / (99 - 24)))
    assert schedule(99) == pytest.approx(final)
    assert schedule(150) == pytest.approx(final)


def test_one_cycle_matches_torch_one_cycle_lr():
    torch = pytest.importorskip("torch", reason="torch's OneCycleLR is the optional reference")
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=1.0)
    reference = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.5, total_steps=50, pct_start=0.3, cycle_momentum=False
    )
    ours = S.one_cycle(0.5, 50, pct_start=0.3)
    for step in range(50):
        assert ours(step) == pytest.approx(optimizer.param_groups[0]["lr"], rel=1e-12)
        optimizer.step()
        reference.step()


def test_piecewise_switches_at_the_boundaries():
    schedule = S.piecewise([3, 8], [1.0, 0.5, 0.25])
    assert [schedule(t) for t in (0, 2, 3, 7, 8, 100)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


@pytest.mark.parametrize(("rule", "expected"), [("linear", 0.1 * 8), ("sqrt", 0.1 * math.sqrt(8))])
def test_scale_lr_for_batch(rule, expected):
    assert S.scale_lr_for_batch(0.1, 256, 32, rule=rule) == pytest.approx(expected)


def test_reduce_on_plateau_waits_patience_then_reduces_and_cools_down():
    plateau = S.reduce_on_plateau(1.0, factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    history = []
    for metric in [5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]:
        plateau.update(metric)
        history.append(plateau(0))
    # 3 evaluations without improvement (> patience 2) reduce; then 1 of cooldown.
    assert history == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2]


def test_reduce_on_plateau_max_mode_and_threshold():
    plateau = S.ReduceOnPlateau(0.1, mode="max", patience=0, threshold=0.1)
    assert plateau.update(0.5) is False
    assert plateau.update(0.54) is True  # +8% is below the 10% relative threshold
    assert plateau(123) == pytest.approx(0.01)
    assert plateau.update(0.6) is False  # +20% over the best (0.5) counts


def test_reduce_on_plateau_state_round_trip():
    plateau = S.ReduceOnPlateau(0.1, patience=1)
    for metric in [1.0, 2.0]:
        plateau.update(metric)
    copy = S.ReduceOnPlateau(0.1, patience=1)
    copy.load_state_dict(plateau.state_dict())
    assert copy.update(3.0) is True and plateau.update(3.0) is True
    assert copy(0) == plateau(0) == pytest.approx(0.01)


def test_a_schedule_drives_an_optimizer():
    import glassnet as gn
    from glassnet.optim import SGD

    param = gn.tensor([0.0], dtype="float64", requires_grad=True)
    optimizer = SGD([param], lr=S.linear_warmup(S.constant(0.3), 3))
    for _ in range(4):
        param.grad = gn.tensor([1.0], dtype="float64").data
        optimizer.step()
    assert param.data[0] == pytest.approx(-(0.1 + 0.2 + 0.3 + 0.3))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: S.constant(0), "lr > 0"),
        (lambda: S.step_decay(0.1, 0), "step_size to be an int >= 1"),
        (lambda: S.exponential(0.1, -1), "rate >= 0"),
        (lambda: S.cosine(0.1, 10, min_lr=0.2), "min_lr <= lr"),
        (lambda: S.linear_warmup(0.1, 5), "Wrap a number with constant"),
        (lambda: S.one_cycle(0.1, 10, pct_start=1.0), r"pct_start in \(0, 1\)"),
        (lambda: S.one_cycle(0.1, 2, pct_start=0.3), "leaves a phase without steps"),
        (lambda: S.piecewise([5], [0.1]), "one more value than boundaries"),
        (lambda: S.piecewise([5, 3], [0.1, 0.2, 0.3]), "strictly increasing"),
        (lambda: S.scale_lr_for_batch(0.1, 64, 32, rule="cube"), "rule 'linear' or 'sqrt'"),
        (lambda: S.ReduceOnPlateau(0.1, mode="up"), "mode 'min' or 'max'"),
        (lambda: S.ReduceOnPlateau(0.1, factor=1.0), r"factor in \(0, 1\)"),
    ],
)
def test_rejects_bad_arguments(make, message):
    with pytest.raises(ConfigError, match=message):
        make()
