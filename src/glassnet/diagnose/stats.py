"""The numbers the rules read, computed from arrays: per-layer activation statistics,
per-parameter gradient and update statistics, and smoothed loss curves.

Pure functions of NumPy arrays, shared by the Telemetry callback, ``watch`` and
``layer_statistics``, so the same quantity is measured the same way everywhere.
"""

import math

import numpy as np

HISTOGRAM_BINS = 20
# Summary statistics (mean, std, histogram, saturation) look at the first examples of a
# batch — 32, or fewer (at least 4) when each example has many values — thinned to at most
# SAMPLE_VALUES evenly spaced values: the std of 16,384 values is known to within 1%, and a
# conv layer's 800,000 values would cost 50× more for no better number. The dead-unit
# count looks at the whole batch, since one example that fires keeps a unit alive.
SAMPLE_EXAMPLES = 32
MIN_EXAMPLES = 4
SAMPLE_VALUES = 16_384
# A tanh unit is saturated past |y| > 0.99, a sigmoid unit outside (0.01, 0.99): there the
# local gradient (1 − y², resp. y(1 − y)) is below 2% of its peak, the lecture's "saturated
# neurons kill the gradients".
SATURATION_LEVEL = 0.99


def activation_stats(output: np.ndarray, *, saturation_range=None) -> dict:
    """Mean, std, min, max, a histogram and (for tanh/sigmoid) the saturated share of a
    layer's output, over its first examples.

    Args:
        output: the layer's output, (N, ...).
        saturation_range: (low, high) of a saturating activation, e.g. (−1, 1) for tanh;
            None for layers that do not saturate.

    Example:
        >>> stats = activation_stats(np.array([[0.0, 1.0], [0.5, 0.5]]))
        >>> stats["mean"], stats["std"]
        (0.5, 0.3536)
    """
    values = _sample(output)
    finite = values[np.isfinite(values)] if not np.isfinite(values).all() else values
    stats = {"mean": _round(finite.mean()) if finite.size else math.nan,
             "std": _round(finite.std()) if finite.size else math.nan,
             "min": _round(finite.min()) if finite.size else math.nan,
             "max": _round(finite.max()) if finite.size else math.nan,
             "finite": bool(finite.size == values.size)}
    if finite.size:
        counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS)
        stats["hist"] = counts.tolist()
        stats["edges"] = [_round(edges[0]), _round(edges[-1])]
    if saturation_range is not None and finite.size:
        low, high = saturation_range
        centred = (finite - (low + high) / 2) / ((high - low) / 2)  # mapped to [−1, 1]
        stats["saturated"] = _round(float(np.mean(np.abs(centred) > SATURATION_LEVEL)))
    return stats


def _sample(output: np.ndarray) -> np.ndarray:
    """At most ~SAMPLE_VALUES values of ``output`` (see above), as float64."""
    if output.ndim > 1 and len(output):
        per_example = max(1, output[0].size)
        examples = min(SAMPLE_EXAMPLES, max(MIN_EXAMPLES, 4 * SAMPLE_VALUES // per_example))
        output = output[:examples]
    flat = np.ascontiguousarray(output).reshape(-1)
    return np.asarray(flat[:: max(1, flat.size // SAMPLE_VALUES)], dtype=np.float64)


def fired_units(output: np.ndarray) -> np.ndarray:
    """Which units (axis 1: features or channels) were positive for at least one example
    and position of the batch: a boolean vector, one entry per unit."""
    if output.ndim == 1:
        return output > 0
    axes = tuple(i for i in range(output.ndim) if i != 1)
    return (output > 0).any(axis=axes)


def norm(array: np.ndarray) -> float:
    return float(np.sqrt(np.sum(np.square(array, dtype=np.float64))))


def parameter_stats(weight: np.ndarray, grad: np.ndarray | None,
                    before: np.ndarray | None = None) -> dict:
    """The weight's norm, the gradient's norm and RMS, and (given the weight before the
    update) the update/weight ratio ‖ΔW‖/‖W‖, the lecture's ≈ 1e-3 rule of thumb."""
    stats = {"weight_norm": _round(norm(weight))}
    if grad is not None:
        grad_norm = norm(grad)
        stats["grad_norm"] = _round(grad_norm)
        stats["grad_rms"] = _round(grad_norm / math.sqrt(max(grad.size, 1)))
    if before is not None:
        before_norm = norm(before)
        change = norm(weight.astype(np.float64) - before)
        stats["update_ratio"] = _round(change / before_norm) if before_norm > 0 else None
    return stats


def smooth(values, fraction: float = 0.1) -> np.ndarray:
    """A running median of ``values`` over a window of ``fraction`` of their length (at
    least 1): mini-batch noise removed, steps and spikes kept. NaN where any value in the
    window is not finite."""
    values = np.asarray(values, dtype=np.float64)
    width = max(1, round(len(values) * fraction))
    out = np.empty_like(values)
    for i in range(len(values)):
        window = values[max(0, i - width + 1) : i + 1]
        out[i] = np.median(window) if np.isfinite(window).all() else math.nan
    return out


def _round(value) -> float:
    """4 significant digits: enough for the rules, small telemetry files."""
    value = float(value)
    return float(f"{value:.4g}") if math.isfinite(value) else value
