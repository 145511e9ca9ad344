"""Rules over the loss trajectory and the update sizes: NaN, divergence, a rising or an
oscillating loss, and a learning rate too high or too low.

The trajectory is the loss on a fixed probe set when the doctor measured one (no
mini-batch noise), else the running median of the batch losses.
"""

import math

import numpy as np

from glassnet.diagnose.findings import Finding
from glassnet.diagnose.stats import smooth

# SPEC §8 and the lecture: stop a run whose loss exceeds 3× its initial value.
DIVERGENCE_FACTOR = 3.0
# The last fifth of the run 5% above the first fifth: the loss is going up.
INCREASE_FACTOR = 1.05
# Less than 1% lower at the end than at the start: the loss is "barely changing", the
# lecture's sign of a learning rate too low.
FLAT_DROP = 0.01
# The lecture: update/weight ≈ 1e-3 is healthy. When even the layer with the largest
# ratio moves less than 1e-5 of its weights per step (100× below), the rate is too low.
LOW_UPDATE_RATIO = 1e-5
# Oscillation: at least 60% of the path the loss travels is undone again (it goes up and
# down rather than down), with steps of at least 10% of its typical value.
BACKTRACK = 0.6
AMPLITUDE = 0.1
MIN_POINTS = 6


def curve(losses, probe=None) -> dict:
    """Summary numbers of a loss trajectory.

    Args:
        losses: the batch loss of every step.
        probe: optional (step, loss) pairs measured on a fixed probe set.
    """
    losses = np.asarray(losses, dtype=np.float64)
    nonfinite = np.flatnonzero(~np.isfinite(losses))
    summary = {"steps": int(losses.size),
               "nonfinite_step": int(nonfinite[0]) + 1 if nonfinite.size else None}
    finite = losses[: nonfinite[0]] if nonfinite.size else losses
    if probe:
        steps = [s for s, _ in probe]
        values = np.asarray([v for _, v in probe], dtype=np.float64)
        if not np.isfinite(values).all():
            stop = int(np.flatnonzero(~np.isfinite(values))[0])
            if summary["nonfinite_step"] is None:
                summary["nonfinite_step"] = steps[stop]
            values = values[:stop]
        series = values
    else:
        series = smooth(finite) if finite.size else finite
        series = series[np.isfinite(series)]
    if not finite.size or not series.size:
        summary.update(initial=math.nan, final=math.nan, peak=math.nan, drop=math.nan,
                       backtrack=0.0, amplitude=0.0, points=0)
        return summary
    initial = float(finite[0])
    fifth = max(1, len(series) // 5)
    start, end = float(np.mean(series[:fifth])), float(np.mean(series[-fifth:]))
    changes = np.diff(series)
    travel = float(np.abs(changes).sum())
    net = abs(float(series[-1] - series[0]))
    typical = float(np.median(np.abs(series))) or 1.0
    summary.update(
        initial=initial, final=float(series[-1]), peak=float(finite.max()),
        start=start, end=end, drop=(start - end) / abs(start) if start else 0.0,
        backtrack=(travel - net) / travel if travel > 0 else 0.0,
        amplitude=float(np.mean(np.abs(changes))) / typical if changes.size else 0.0,
        points=int(series.size))
    return summary


def largest_update_ratio(records) -> float:
    """The median over recorded steps (after the first) of the largest update/weight ratio
    among the weight matrices."""
    values = []
    for record in records[1:] or records:
        ratios = [p["update_ratio"] for p in record["params"].values()
                  if p.get("matrix", True) and p.get("update_ratio") is not None
                  and math.isfinite(p["update_ratio"])]
        if ratios:
            values.append(max(ratios))
    return float(np.median(values)) if values else math.nan


def loss_findings(summary: dict, *, records=(), nonfinite=None, final: bool = True) -> list:
    """Findings about the loss trajectory (``curve``) and the learning rate."""
    findings = []
    step = summary["nonfinite_step"]
    if step is not None:
        where = nonfinite or {}
        findings.append(Finding("nonfinite_loss", "error", {
            "step": step, "layer": where.get("layer") or "?",
            "last_finite_loss": summary.get("final", math.nan)}))
        findings.append(Finding("lr_too_high", "error", {
            "reason": "nonfinite", "step": step, "initial": summary["initial"],
            "peak": summary["peak"]}))
        return findings
    if not final or summary["points"] < 2:
        return findings
    initial, peak = summary["initial"], summary["peak"]
    diverged = math.isfinite(peak) and peak > DIVERGENCE_FACTOR * initial > 0
    rising = summary["end"] > INCREASE_FACTOR * summary["start"]
    if diverged or rising:
        severity = "error" if diverged else "warning"
        evidence = {"initial": initial, "peak": peak, "start": summary["start"],
                    "end": summary["end"], "factor": peak / initial if initial else math.nan}
        findings.append(Finding("loss_increasing", severity, evidence))
        findings.append(Finding("lr_too_high", severity, {
            "reason": "diverged" if diverged else "rising", **evidence}))
    oscillating = summary["points"] >= MIN_POINTS and summary["backtrack"] >= BACKTRACK and \
        summary["amplitude"] >= AMPLITUDE
    if oscillating:
        evidence = {"backtrack": summary["backtrack"], "amplitude": summary["amplitude"],
                    "points": summary["points"]}
        findings.append(Finding("oscillating_loss", "warning", evidence))
        if not (diverged or rising):
            findings.append(Finding("lr_too_high", "warning", {"reason": "oscillating",
                                                               **evidence}))
    ratio = largest_update_ratio(records) if records else math.nan
    # An update ratio of exactly 0 is no update at all (no gradient reaches the weights:
    # dead or disconnected units), which no learning rate can fix.
    if summary["drop"] < FLAT_DROP and not (diverged or rising) and \
            (not math.isfinite(ratio) or 0 < ratio < LOW_UPDATE_RATIO):
        findings.append(Finding("lr_too_low", "warning", {
            "start": summary["start"], "end": summary["end"], "drop": summary["drop"],
            "update_ratio": ratio}))
    return findings
