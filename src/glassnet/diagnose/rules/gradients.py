"""Rules over per-parameter gradient norms: gradients that shrink or grow with depth.

Backpropagation multiplies the gradient by each layer's Jacobian on the way down; when
those factors are consistently below or above 1 the first layers' gradients vanish or
explode relative to the last layer's (the lecture's deep sigmoid network, and the RNN's
long chains). Measured as the ratio of the gradient RMS of the first weight matrix to that
of the last one, median over the recorded steps.
"""

import math

import numpy as np

from glassnet.diagnose.findings import Finding

# Judgment, three orders of magnitude: a healthy few-layer network sits within 1e-1..1e1
# (the weight-update ratio the lecture asks for is about the same in every layer).
VANISHING_RATIO = 1e-3
EXPLODING_RATIO = 1e3
# An absolute bound: a gradient norm above 1e3 per weight matrix (RMS above 1 per element
# is already large for weights of scale 1/√fan_in) is exploding whatever the depth.
EXPLODING_NORM = 1e3
MIN_MATRICES = 3
# Six orders of magnitude: the first layers get a millionth (or a million times) of the
# last layer's signal — they cannot learn at any learning rate that suits the others.
EXTREME_RATIO = 1e-6


def depth_ratios(records) -> list:
    """Per recorded step: (step, first-layer RMS / last-layer RMS, largest grad norm)."""
    ratios = []
    for record in records:
        matrices = [(name, p) for name, p in record["params"].items()
                    if p.get("matrix", True) and p.get("grad_rms") is not None]
        if len(matrices) < 2:
            continue
        first, last = matrices[0][1]["grad_rms"], matrices[-1][1]["grad_rms"]
        largest = max(p["grad_norm"] for _, p in matrices)
        # An exactly zero gradient is a dead path (no unit passes anything back), not a
        # vanishing one: the activation rules report it.
        ratio = first / last if first > 0 and last > 0 else math.nan
        ratios.append((record["step"], ratio, largest, matrices[0][0], matrices[-1][0],
                       len(matrices)))
    return ratios


def gradient_findings(records) -> list:
    ratios = depth_ratios(records)
    if not ratios:
        return []
    values = np.asarray([r[1] for r in ratios], dtype=np.float64)
    finite = values[np.isfinite(values)]
    largest = max((r[2] for r in ratios if math.isfinite(r[2])), default=math.nan)
    _step, _, _, first, last, count = ratios[-1]
    if finite.size:
        typical = float(np.median(finite))
        evidence = {"first_layer": first, "last_layer": last, "ratio": typical,
                    "largest_norm": largest, "matrices": count}
        if count >= MIN_MATRICES and typical < VANISHING_RATIO:
            severity = "error" if typical < EXTREME_RATIO else "warning"
            return [Finding("vanishing_gradients", severity, evidence)]
        if (count >= MIN_MATRICES and typical > EXPLODING_RATIO) or largest > EXPLODING_NORM:
            severity = "error" if typical > 1 / EXTREME_RATIO else "warning"
            return [Finding("exploding_gradients", severity, evidence)]
    elif largest > EXPLODING_NORM:
        return [Finding("exploding_gradients", "warning", {
            "first_layer": first, "last_layer": last, "ratio": math.nan,
            "largest_norm": largest, "matrices": count})]
    return []
