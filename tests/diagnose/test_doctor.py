"""``doctor`` end to end on tiny setups: a healthy model passes, broken ones are named with
the right cause first, counter-experiments confirm or downgrade, and everything the doctor
touched is put back."""

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.diagnose import doctor
from glassnet.errors import ConfigError, ShapeError
from tests.diagnose.cases import data, mlp

CE = nn.CrossEntropyLoss()


def diagnose(model, optimizer=None, *, loss=CE, train=None, steps=60, **options):
    X, y = data() if train is None else train
    return doctor(model, loss, (X, y), optimizer=optimizer, steps=steps, batch_size=32,
                  **options)


def test_a_healthy_setup_gets_no_error_and_everything_is_restored():
    model = mlp(2, 32, 3)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    weights = model.state_dict()
    gn.manual_seed(5)
    expected_draw = gn.random.default_generator().random()
    gn.manual_seed(5)
    report = diagnose(model, optimizer)
    assert not report.has_errors, str(report)
    assert report.summary["steps"] == 60 and report.summary["val_from_train"]
    assert report.preflight["checks"]["overfit"]["fitted"]
    assert all(np.array_equal(model.state_dict()[k], v) for k, v in weights.items())
    assert optimizer.step_count == 0 and optimizer.state == {}
    assert gn.random.default_generator().random() == expected_draw
    json.dumps(report.to_json(), allow_nan=False)


def test_a_learning_rate_far_too_high_is_named_first_and_confirmed():
    model = mlp(2, 32, 3)
    report = diagnose(model, optim.SGD(model.parameters(), lr=200.0))
    first = report.findings[0]
    assert first.code == "lr_too_high" and first.severity == "error"
    assert first.confirmation["fix"] == "lr_down" and first.confirmation["helped"]
    assert "nonfinite_loss" in report.codes() or "loss_increasing" in report.codes()


def test_a_cause_whose_fix_does_not_help_is_downgraded_and_says_so():
    model = mlp(2, 32, 3)
    # The loss is NaN from the first step whatever the learning rate: log of 0.
    def log_of_zero(outputs, targets):
        return CE(outputs, targets) + gn.log(outputs * 0.0).sum()

    report = diagnose(model, optim.Adam(model.parameters(), lr=1e-2), loss=log_of_zero)
    assert report.findings[0].code == "nonfinite_loss"
    lr = next(f for f in report.findings if f.code == "lr_too_high")
    assert lr.severity == "warning" and not lr.confirmation["helped"]
    assert "downgraded" in lr.confirmation_text


def test_structural_bugs_come_first_and_the_exit_relevant_flag_is_set():
    report = diagnose(nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 3)), confirm=False)
    assert report.codes("error") == ["no_nonlinearity"] and report.has_errors
    report = diagnose(mlp(2, 16, 3, final=nn.Softmax()), confirm=False)
    assert report.findings[0].code == "softmax_before_loss"


def test_summed_loss_and_labels_out_of_range():
    report = diagnose(mlp(2, 16, 3), loss=nn.CrossEntropyLoss(reduction="sum"),
                      confirm=False)
    assert report.findings[0].code == "loss_not_mean"
    X, y = data()
    report = diagnose(mlp(2, 16, 3), train=(X, y + 1))
    assert report.codes() == ["labels_out_of_range"] and report.summary["steps"] == 0


def test_a_loss_that_cannot_take_the_output_is_a_finding_not_a_crash():
    X, y = data()
    report = diagnose(mlp(2, 16, 3), loss=nn.MSELoss(), train=(X, y.astype(np.float32)))
    assert report.codes() == ["loss_output_mismatch"]
    assert report.findings[0].evidence["problem"] == "error"


def test_persian_report():
    report = diagnose(nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 3)), confirm=False,
                      lang="fa")
    assert report.lang == "fa" and "خطا" in str(report) and "no_nonlinearity" in str(report)


def test_bad_arguments_are_clear_errors():
    X, y = data()
    with pytest.raises(ShapeError, match="as many"):
        doctor(mlp(2, 3), CE, (X, y[:-1]))
    with pytest.raises(ConfigError, match="steps"):
        doctor(mlp(2, 3), CE, (X, y), steps=3)
    with pytest.raises(ConfigError, match="seeds"):
        doctor(mlp(2, 3), CE, (X, y), seeds=())
    with pytest.raises(ConfigError, match="train = \\(inputs, targets\\)"):
        doctor(mlp(2, 3), CE, X)
    with pytest.raises(ConfigError, match="glassnet.optim"):
        doctor(mlp(2, 3), CE, (X, y), optimizer=object())


def test_a_counter_experiment_that_makes_things_worse_downgrades_the_accusation():
    from glassnet.diagnose import Finding
    from glassnet.diagnose.confirm import CounterExperiments, helps
    from glassnet.diagnose.trace import trace

    X, y = data()
    model = mlp(2, 32, 3)
    experiments = CounterExperiments(model, CE, optim.Adam(model.parameters(), lr=1e-2),
                                     (X, y), (X, y), trace(model, X[:8]), batch_size=32)
    # A healthy learning rate: ÷ 10 (and ÷ 100, ÷ 1000) only slows it down.
    accused = Finding("lr_too_high", "warning", {"reason": "oscillating", "backtrack": 0.7,
                                                  "amplitude": 0.2, "points": 10})
    judged = experiments.confirm(accused, failing=False)
    assert judged.severity == "info" and not judged.confirmation["helped"]
    assert judged.confirmation["after"] > judged.confirmation["before"]
    assert helps("dead_relu", {"before": 1.1, "after": 1.0}, {"before": 1.1, "after": 0.5})
    assert not helps("dead_relu", {"before": 1.1, "after": 1.0}, {"before": 1.1, "after": 0.98})
