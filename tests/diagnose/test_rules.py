"""Each rule family on hand-built measurements: the finding appears when it should, stays
away when it should not, and its words render in English and Persian."""

import math

import numpy as np
import pytest

from glassnet import nn
from glassnet.diagnose import rules
from glassnet.diagnose.data_checks import measure_data
from glassnet.diagnose.telemetry import TelemetryData
from glassnet.diagnose.trace import trace
from tests.diagnose.cases import data, mlp, record


def codes(findings):
    return [f.code for f in findings]


def renders(findings):
    """Every finding's four texts render in both languages, with the evidence's numbers."""
    for finding in findings:
        for lang in ("en", "fa"):
            f = finding.in_language(lang)
            for words in (f.message, f.cause, f.advice, f.rule):
                assert words.strip() and "{" not in words
    return findings


# ----- data --------------------------------------------------------------------------------

def test_data_rules_flag_nan_labels_out_of_range_scale_imbalance_and_leakage():
    X, y = data()
    clean = measure_data((X, y), (X[:0], y[:0]), num_outputs=3)
    assert rules.data_findings(clean, loss_kind="logits") == []
    bad = X.copy()
    bad[3, 1] = np.nan
    assert "nonfinite_inputs" in codes(renders(rules.data_findings(
        measure_data((bad, y), num_outputs=3), loss_kind="logits")))
    shifted = measure_data((X, y + 1), num_outputs=3)
    found = renders(rules.data_findings(shifted, loss_kind="logits"))
    assert codes(found) == ["labels_out_of_range"] and found[0].evidence["label_max"] == 3
    raw = measure_data((X * 80 + 120, y), num_outputs=3)
    assert codes(renders(rules.data_findings(raw, loss_kind="logits"))) == \
        ["inputs_not_normalized"]
    keep = np.concatenate([np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:4]])
    skewed = measure_data((X[keep], y[keep]), num_outputs=3)
    found = renders(rules.data_findings(skewed, loss_kind="logits"))
    assert codes(found) == ["class_imbalance"] and found[0].evidence["ratio"] == 15
    assert found[0].evidence["prior_loss"] < found[0].evidence["uniform_loss"]
    leaked = measure_data((X, y), (X[:40], y[:40]), num_outputs=3)
    found = renders(rules.data_findings(leaked, loss_kind="logits"))
    assert codes(found) == ["val_leakage"] and found[0].severity == "error"


# ----- structure ---------------------------------------------------------------------------

class FunctionalReLU(nn.Module):
    """Two Linear layers with the nonlinearity applied as a function, not a layer."""

    def __init__(self):
        super().__init__()
        self.first, self.second = nn.Linear(2, 8), nn.Linear(8, 3)

    def forward(self, x):
        return self.second(nn.functional.relu(self.first(x)))


def structure(model, loss_kind="logits", targets=None, unused=()):
    X, y = data()
    return renders(rules.structure_findings(trace(model, X[:16]), loss_kind=loss_kind,
                                            targets=y if targets is None else targets,
                                            unused=unused))


def test_stacked_linear_layers_are_flagged_but_a_functional_activation_between_is_seen():
    stacked = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.1), nn.Linear(8, 3))
    found = structure(stacked)
    assert codes(found) == ["no_nonlinearity"] and "0 (Linear)" in found[0].message
    assert structure(mlp(2, 8, 3)) == []
    assert structure(FunctionalReLU()) == []


def test_softmax_or_sigmoid_into_a_logit_loss_is_flagged_log_softmax_into_nll_is_not():
    assert codes(structure(mlp(2, 8, 3, final=nn.Softmax()))) == ["softmax_before_loss"]
    assert codes(structure(mlp(2, 8, 3, final=nn.Sigmoid()))) == ["softmax_before_loss"]
    assert structure(mlp(2, 8, 3, final=nn.LogSoftmax()), loss_kind="log_probs") == []


def test_regression_on_class_indices_and_an_output_range_mismatch_are_flagged():
    _, y = data(classes=5)
    found = structure(mlp(2, 8, 1), loss_kind="regression", targets=y.astype(np.float32))
    assert codes(found) == ["loss_output_mismatch"] and found[0].severity == "warning"
    assert codes(structure(mlp(2, 8, 1), loss_kind="logits")) == ["loss_output_mismatch"]
    targets = np.linspace(0, 10, 50, dtype=np.float32)
    found = structure(mlp(2, 8, 1, final=nn.Sigmoid()), loss_kind="regression", targets=targets)
    assert codes(found) == ["output_range_mismatch"]
    assert found[0].evidence["share_outside"] > 0.8
    assert structure(mlp(2, 8, 1), loss_kind="regression", targets=targets) == []


def test_strong_dropout_a_bias_before_batch_norm_and_unused_parameters():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.9), nn.Linear(8, 3))
    assert codes(structure(model)) == ["dropout_too_strong"]
    model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    found = structure(model)
    assert codes(found) == ["bias_before_batch_norm"] and found[0].severity == "info"
    assert codes(structure(mlp(2, 8, 3), unused=["head.weight"])) == ["unused_parameters"]


def test_identical_hidden_units_are_flagged_but_a_zero_output_layer_is_fine():
    found = structure(mlp(2, 8, 8, 3, init=nn.init.zeros))
    assert codes(found) == ["symmetric_init"] and found[0].evidence["units"] == 8
    model = mlp(2, 8, 3)
    model[2].weight.data[...] = 0.0  # the last layer breaks symmetry through its targets
    assert structure(model) == []


# ----- sanity ------------------------------------------------------------------------------

def test_sanity_rules_on_hand_built_measurements():
    checks = {
        "initial_loss": {"loss": 9.0, "expected": math.log(10)},
        "loss_reduction": {"loss": 2.3, "loss_of_doubled_batch": 4.6, "ratio": 2.0},
        "regularization": {"loss": 2.3, "regularized_loss": 2.3, "strength": 1e-3, "rise": 0.0},
        "overfit": {"examples": 20, "steps": 300, "accuracy": 0.4, "fitted": False,
                    "final_loss": 1.5},
        "gradient_check": {"worst_layer": "3", "worst_error": 0.3, "checked": 40},
        "batch_independence": {"leak": 0.7, "example": 1, "other_example": 0},
    }
    found = renders(rules.sanity_findings(checks))
    assert codes(found) == ["initial_loss_off", "loss_not_mean", "regularization_no_effect",
                            "cannot_overfit", "gradient_check_failed", "batch_mixing"]
    assert found[4].severity == "error" and "layer 3" in found[4].message
    healthy = {
        "initial_loss": {"loss": 2.31, "expected": math.log(10)},
        "loss_reduction": {"loss": 2.3, "loss_of_doubled_batch": 2.3, "ratio": 1.0},
        "regularization": {"loss": 2.3, "regularized_loss": 2.4, "strength": 1e-3, "rise": 0.1},
        "overfit": {"examples": 20, "steps": 40, "accuracy": 1.0, "fitted": True},
        "gradient_check": {"worst_layer": "0", "worst_error": 3e-9, "checked": 40},
        "batch_independence": {"leak": 0.0, "example": 1, "other_example": 0},
    }
    assert rules.sanity_findings(healthy) == []
    uncomfortable = {"gradient_check": {"worst_layer": "0", "worst_error": 1e-3, "checked": 9}}
    assert rules.sanity_findings(uncomfortable)[0].severity == "warning"


def test_labels_not_learnable_needs_a_model_that_fits_train_and_is_no_better_on_val():
    baseline = {"train": {"loss": 2.30}, "val": {"loss": 2.30, "accuracy": 0.10}}
    memorizing = {"train_loss": 2.10, "val_loss": 2.36, "val_accuracy": 0.11, "classes": 10}
    worse = {"mean": 0.06, "se": 0.015, "n": 500}
    found = renders(rules.baseline_findings(memorizing, baseline, worse))
    assert codes(found) == ["labels_not_learnable"]
    slow = {**memorizing, "train_loss": 2.27}  # 1% better on train: merely slow
    assert rules.baseline_findings(slow, baseline, worse) == []
    learning = {**memorizing, "val_loss": 1.0, "val_accuracy": 0.7}
    better = {"mean": -1.3, "se": 0.05, "n": 500}
    assert rules.baseline_findings(learning, baseline, better) == []


# ----- loss --------------------------------------------------------------------------------

def loss_codes(losses, probe=None, records=()):
    data = TelemetryData(records=list(records), losses=list(losses))
    return codes(renders(rules.training_findings(data, probe=probe)))


def test_loss_rules_nan_divergence_rise_and_a_healthy_curve():
    healthy = 2.3 * np.exp(-np.linspace(0, 2, 100))
    assert loss_codes(healthy) == []
    nan = list(healthy[:30]) + [math.nan] * 5
    assert loss_codes(nan)[:2] == ["nonfinite_loss", "lr_too_high"]
    diverging = 2.3 * np.exp(np.linspace(0, 3, 100))
    assert {"loss_increasing", "lr_too_high"} <= set(loss_codes(diverging))
    rising = 2.3 + np.linspace(0, 0.5, 100)
    found = rules.training_findings(TelemetryData(losses=list(rising)))
    assert {f.code: f.severity for f in found}["loss_increasing"] == "warning"


def test_flat_loss_with_tiny_updates_is_lr_too_low_but_not_with_healthy_updates():
    flat = 2.3 - np.linspace(0, 0.001, 100)
    tiny = [record(s, params={"0.weight": {"matrix": True, "update_ratio": 1e-7}})
            for s in (1, 11, 21)]
    assert loss_codes(flat, records=tiny) == ["lr_too_low"]
    normal = [record(s, params={"0.weight": {"matrix": True, "update_ratio": 1e-3}})
              for s in (1, 11, 21)]
    assert loss_codes(flat, records=normal) == []


def test_an_oscillating_probe_loss_is_flagged():
    probe = [(10 * i, 2.0 + (0.8 if i % 2 else -0.8)) for i in range(12)]
    assert "oscillating_loss" in loss_codes(np.full(120, 2.0), probe=probe)
    steady = [(10 * i, 2.0 * 0.9**i) for i in range(12)]
    assert loss_codes(np.full(120, 2.0), probe=steady) == []


# ----- activations and gradients ----------------------------------------------------------

def activation(kind, std, **extra):
    return {"type": kind, "mean": 0.0, "std": std, **extra}


def test_activation_rules_vanishing_saturated_and_dead():
    shrinking = [record(1, layers={str(i): activation("Tanh", 0.2 * 0.1**i)
                                   for i in range(4)})]
    found = renders(rules.activation_findings(shrinking))
    assert codes(found) == ["activations_vanishing"] and found[0].evidence["ratio"] < 1e-2
    steady = [record(1, layers={str(i): activation("Tanh", 0.5) for i in range(4)})]
    assert rules.activation_findings(steady) == []
    saturated = [record(1, layers={"1": activation("Tanh", 0.98, saturated=0.9)})]
    assert codes(renders(rules.activation_findings(saturated))) == ["activations_saturated"]
    dead = [record(1, layers={"1": activation("ReLU", 0.1, dead=0.8)})]
    found = renders(rules.activation_findings(dead))
    assert codes(found) == ["dead_relu"] and found[0].evidence["share"] == 0.8
    some = [record(1, layers={"1": activation("ReLU", 0.5, dead=0.15)})]
    assert rules.activation_findings(some) == []


def gradients(*rms):
    return {f"{i}.weight": {"matrix": True, "grad_rms": value, "grad_norm": value * 10}
            for i, value in enumerate(rms)}


def test_gradient_rules_vanishing_exploding_and_dead_paths():
    found = renders(rules.gradient_findings([record(1, params=gradients(1e-9, 1e-4, 1e-2))]))
    assert codes(found) == ["vanishing_gradients"] and found[0].severity == "error"
    assert found[0].evidence["first_layer"] == "0.weight"
    found = rules.gradient_findings([record(1, params=gradients(1e-6, 1e-4, 1e-2))])
    assert found[0].severity == "warning"
    assert codes(rules.gradient_findings([record(1, params=gradients(10.0, 1.0, 1e-3))])) == \
        ["exploding_gradients"]
    assert rules.gradient_findings([record(1, params=gradients(0.1, 0.2, 0.1))]) == []
    assert rules.gradient_findings([record(1, params=gradients(0.0, 0.0, 0.1))]) == []


# ----- fit and loop ------------------------------------------------------------------------

def test_fit_rules_overfitting_underfitting_and_over_regularization():
    gap = [{"step": 200, "train_loss": 0.05, "train_accuracy": 1.0, "val_loss": 1.4,
            "val_accuracy": 0.7}]
    found = renders(rules.fit_findings(gap))
    assert codes(found) == ["overfitting"] and found[0].evidence["gap"] == pytest.approx(0.3)
    baseline = {"train": {"loss": 1.1}}
    stuck = [{"step": 200, "train_loss": 0.9, "train_accuracy": 0.5, "val_loss": 0.9,
              "val_accuracy": 0.5}]
    assert codes(renders(rules.fit_findings(stuck, baseline=baseline))) == ["underfitting"]
    assert codes(renders(rules.fit_findings(stuck, baseline=baseline, weight_decay=3.0))) == \
        ["underfitting", "over_regularized"]
    good = [{"step": 200, "train_loss": 0.2, "train_accuracy": 0.95, "val_loss": 0.25,
             "val_accuracy": 0.93}]
    assert rules.fit_findings(good, baseline=baseline) == []
    regression = [{"step": 1, "train_loss": 0.5, "val_loss": 0.6},
                  {"step": 2, "train_loss": 0.1, "val_loss": 0.9}]
    assert codes(renders(rules.fit_findings(regression))) == ["overfitting"]


def test_loop_rules():
    observed = {"steps": 50, "stale_steps": 49, "first_stale_step": 2,
                "eval_in_train_mode": 3, "random_layers": ["Dropout"]}
    assert codes(renders(rules.loop_findings(observed))) == ["stale_gradients",
                                                            "eval_in_train_mode"]
    assert rules.loop_findings({"steps": 50, "stale_steps": 0, "eval_in_train_mode": 0}) == []
