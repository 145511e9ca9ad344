"""Confirm before accusing: rerun a short training with the suspected cause fixed.

For the causes that have a cheap counter-experiment — a learning rate too high (÷ 10) or
too low (× 10), unnormalized inputs (standardize), a bad initialization scale (He before
ReLU-like units, Xavier elsewhere), dead ReLUs (either), too much weight decay (÷ 10) — the
model is trained ``CONFIRM_STEPS`` steps from the same start on the same batches, once as
it is and once with the fix, and the loss on a fixed probe set is compared. A finding
whose fix helps keeps its severity (and becomes an error when the run was failing); one
whose fix does not help is downgraded one level, and its text says so.
"""

import math
from dataclasses import replace

import numpy as np

from glassnet.diagnose.experiment import (
    batches,
    clone_optimizer,
    evaluate,
    saved_state,
    train_steps,
)
from glassnet.diagnose.trace import AFFINE
from glassnet.nn import ELU, GELU, LeakyReLU, ReLU, init

CONFIRM_STEPS = 30  # the "~30 steps from the same start"
# A fix helps when the probe loss after the same steps is at least 5% lower, or (for a
# classifier) the probe accuracy 5 points higher: a network that collapsed to predicting
# the label prior can have a lower loss than one still learning, but not a higher accuracy.
HELP_MARGIN = 0.05
ACCURACY_MARGIN = 0.05
# The learning rate × 10 helps when the loss falls at least twice as far as without it, and
# by at least 0.1% of its start in the 30 steps: twice nothing is still nothing.
PROGRESS_FACTOR = 2.0
MIN_PROGRESS = 1e-3

# Tried in order until one helps. A learning rate off by more than a decade still diverges
# at ÷ 10 (or still crawls at × 10), so it is moved a decade further, up to 1000×, before
# the cause is called unconfirmed.
FIXES_FOR = {
    "lr_too_high": ("lr_down", "lr_down_100", "lr_down_1000"),
    "lr_too_low": ("lr_up", "lr_up_100", "lr_up_1000"),
    "inputs_not_normalized": ("standardize",),
    "activations_vanishing": ("reinit",),
    "activations_saturated": ("reinit",),
    "exploding_gradients": ("reinit",),
    "vanishing_gradients": ("reinit",),
    "symmetric_init": ("reinit",),
    "dead_relu": ("reinit", "lr_down"),
    "over_regularized": ("weight_decay_down",),
}
LR_SCALES = {"lr_down": 0.1, "lr_down_100": 0.01, "lr_down_1000": 0.001, "lr_up": 10.0,
             "lr_up_100": 100.0, "lr_up_1000": 1000.0}
_DOWNGRADE = {"error": "warning", "warning": "info", "info": "info"}
_RELU_LIKE = (ReLU, LeakyReLU, ELU, GELU)
# Xavier's gain per activation: 5/3 for tanh (PyTorch's calculate_gain); 4 for sigmoid,
# whose slope at 0 is 1/4 (Glorot & Bengio 2010, as the Theano tutorials apply it).
_GAINS = {"Tanh": 5.0 / 3.0, "Sigmoid": 4.0}


class CounterExperiments:
    """Short reruns of one training setup, with and without each fix (each run once).

    Args:
        model, loss_fn, optimizer: the setup (the optimizer is cloned, never stepped).
        train: (X, y) to draw the batches from.
        probe: (X, y) the loss is measured on.
        trace: the model's traced forward pass (for which activation follows each layer).
    """

    def __init__(self, model, loss_fn, optimizer, train, probe, trace, *, batch_size: int,
                 seed: int = 0, steps: int = CONFIRM_STEPS):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.train, self.probe, self.trace, self.steps = train, probe, trace, steps
        self.indices = batches(train[0], train[1], batch_size, steps,
                               np.random.default_rng(seed))
        self._outcomes = {}

    def outcome(self, fix: str | None) -> dict:
        """The probe loss before and after ``steps`` steps with ``fix`` applied."""
        if fix not in self._outcomes:
            self._outcomes[fix] = self._run(fix)
        return self._outcomes[fix]

    def _run(self, fix) -> dict:
        X, y = self.train
        probe_X, probe_y = self.probe
        with saved_state(self.model):
            lr_scale = LR_SCALES.get(fix, 1.0)
            decay_scale = 0.1 if fix == "weight_decay_down" else 1.0
            optimizer = clone_optimizer(self.optimizer, lr_scale=lr_scale,
                                        weight_decay_scale=decay_scale)
            if fix == "standardize":
                X, probe_X = standardized(X, X), standardized(X, probe_X)
            if fix == "reinit":
                reinitialize(self.trace)
            before = evaluate(self.model, self.loss_fn, probe_X, probe_y)["loss"]
            losses = train_steps(self.model, self.loss_fn, optimizer, X, y, self.indices)
            measured = evaluate(self.model, self.loss_fn, probe_X, probe_y) \
                if math.isfinite(losses[-1]) else {"loss": math.inf}
        after = measured["loss"] if math.isfinite(measured["loss"]) else math.inf
        outcome = {"before": before, "after": after}
        if "accuracy" in measured and math.isfinite(after):
            outcome["accuracy"] = measured["accuracy"]
        return outcome

    def confirm(self, finding, *, failing: bool):
        """``finding`` with its counter-experiment attached and its severity adjusted."""
        fixes = FIXES_FOR.get(finding.code)
        if not fixes:
            return finding
        original = self.outcome(None)
        best = None
        for fix in fixes:
            result = self.outcome(fix)
            helped = helps(finding.code, original, result)
            candidate = {"fix": fix, "steps": self.steps, "before": original["after"],
                         "after": result["after"], "helped": helped}
            if "accuracy" in result:
                candidate["accuracy_before"] = original.get("accuracy", 0.0)
                candidate["accuracy_after"] = result["accuracy"]
            if best is None or result["after"] < best["after"] or helped:
                best = candidate
            if helped:
                break
        if best["helped"]:
            severity = "error" if failing else finding.severity
        else:
            severity = _DOWNGRADE[finding.severity]
        return replace(finding, severity=severity, confirmation=best)


def helps(code: str, original: dict, fixed: dict) -> bool:
    """Whether the fixed run ended clearly better than the original one."""
    before, after = original["after"], fixed["after"]
    if not math.isfinite(after):
        return False
    if not math.isfinite(before):
        return True
    if code == "lr_too_low":  # the same start: compare how far each run got from it
        progress = original["before"] - before
        fixed_progress = fixed["before"] - after
        return fixed_progress >= PROGRESS_FACTOR * max(progress, 0.0) and \
            fixed_progress >= MIN_PROGRESS * abs(fixed["before"])
    if "accuracy" in fixed and fixed["accuracy"] >= original.get("accuracy", 0.0) + \
            ACCURACY_MARGIN:
        return True
    return after < before - HELP_MARGIN * abs(before)


def standardized(reference: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``X`` standardized per feature with the mean and std of ``reference``."""
    flat = reference.reshape(len(reference), -1).astype(np.float64)
    mean, std = flat.mean(axis=0), flat.std(axis=0)
    std[std == 0] = 1.0
    out = (X.reshape(len(X), -1) - mean) / std
    return out.reshape(X.shape).astype(np.float32)


def reinitialize(trace) -> None:
    """He-initialize every affine layer whose output next meets a ReLU-like activation,
    Xavier (with the activation's gain) the others; biases start at 0. In place (the
    caller restores the weights)."""
    calls = trace.calls
    done = set()
    for i, call in enumerate(calls):
        if not isinstance(call.module, AFFINE) or id(call.module) in done:
            continue
        done.add(id(call.module))
        following = None
        for later in calls[i + 1:]:
            if isinstance(later.module, AFFINE):
                break
            if type(later.module).__name__ in ACTIVATION_NAMES:
                following = later.module
                break
        generator = np.random.default_rng(len(done))
        if isinstance(following, _RELU_LIKE):
            init.kaiming_normal(call.module.weight, nonlinearity="relu", generator=generator)
        else:
            gain = _GAINS.get(type(following).__name__, 1.0)
            init.xavier_normal(call.module.weight, gain=gain, generator=generator)
        if getattr(call.module, "bias", None) is not None:
            init.zeros(call.module.bias)


ACTIVATION_NAMES = ("ReLU", "LeakyReLU", "ELU", "GELU", "Tanh", "Sigmoid", "Softplus")
