"""Rules over per-layer activation statistics: activations that shrink to nothing with
depth, tanh/sigmoid units stuck at their limits, and ReLU units that never fire.

These are the lecture's pictures of the 10-layer tanh network: with weights 0.01·N(0, 1)
the activations collapse towards 0 layer after layer; with 1.0·N(0, 1) every tanh unit is
saturated at ±1; Xavier (tanh) and He (ReLU) keep them spread. And "as much as 10–20% of a
ReLU network can be dead" (the lecture): beyond that, units are being lost.
"""

import math

import numpy as np

from glassnet.diagnose.findings import Finding

ACTIVATIONS = ("ReLU", "LeakyReLU", "ELU", "GELU", "Tanh", "Sigmoid", "Softplus", "Maxout")
# The deepest hidden activation's std below 1% of the first hidden activation's: the
# signal reaching the output is a hundredth of what entered (the lecture's 0.01·N(0, 1)
# tanh network loses ~5× per layer; after 10 layers ~1e-7).
VANISHING_RATIO = 1e-2
MIN_DEPTH = 3  # a shrinking signal needs a few layers to be told from a small scale
# More than half of a tanh/sigmoid layer's outputs saturated (|y| > 0.99 of the range).
SATURATED_SHARE = 0.5
# More than half of a ReLU layer's units silent over the window, well past the lecture's
# "10–20% dead" that training tolerates.
DEAD_SHARE = 0.5


def hidden_activations(record: dict) -> list:
    """(name, stats) of the activation layers of a telemetry record, in call order."""
    return [(name, layer) for name, layer in record["layers"].items()
            if layer["type"] in ACTIVATIONS]


def activation_findings(records) -> list:
    if not records:
        return []
    findings = []
    findings += _vanishing(records)
    findings += _saturated(records)
    findings += _dead(records)
    return findings


def _vanishing(records) -> list:
    for record in (records[0], records[-1]):
        layers = hidden_activations(record)
        if len(layers) < MIN_DEPTH:
            return []
        first_std, last_std = layers[0][1]["std"], layers[-1][1]["std"]
        if not (math.isfinite(first_std) and math.isfinite(last_std)) or first_std <= 0:
            continue
        if last_std < VANISHING_RATIO * first_std:
            return [Finding("activations_vanishing", "warning", {
                "step": record["step"], "first_layer": layers[0][0], "first_std": first_std,
                "last_layer": layers[-1][0], "last_std": last_std,
                "ratio": last_std / first_std,
                "stds": [layer["std"] for _, layer in layers]})]
    return []


def _saturated(records) -> list:
    shares = {}
    for record in records:
        for name, layer in hidden_activations(record):
            if layer.get("saturated") is not None:
                shares.setdefault(name, []).append(layer["saturated"])
    worst = None
    for name, values in shares.items():
        typical = float(np.median(values))
        if typical > SATURATED_SHARE and (worst is None or typical > worst[1]):
            worst = (name, typical)
    if worst is None:
        return []
    layers = sum(float(np.median(v)) > SATURATED_SHARE for v in shares.values())
    return [Finding("activations_saturated", "warning", {
        "layer": worst[0], "share": worst[1], "layers": int(layers)})]


def _dead(records) -> list:
    last = records[-1]
    dead = [(name, layer["dead"]) for name, layer in last["layers"].items()
            if layer.get("dead") is not None]
    if not dead:
        return []
    name, share = max(dead, key=lambda item: item[1])
    if share <= DEAD_SHARE:
        return []
    overall = float(np.mean([value for _, value in dead]))
    return [Finding("dead_relu", "warning", {
        "step": last["step"], "layer": name, "share": share, "mean_share": overall,
        "layers": len(dead)})]
