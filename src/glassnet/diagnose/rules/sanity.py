"""Rules over the preflight's sanity checks (``glassnet.diagnose.sanity``) and the
zeroed-input baseline: the lecture's four checks and Karpathy's two."""

import math

from glassnet.diagnose.findings import Finding

# The lecture: the initial loss should be ≈ ln C (C − 1 for the SVM). 50% above it means
# the untrained scores are far from 0: too large a weight scale or unscaled inputs.
INITIAL_LOSS_FACTOR = 1.5
# A mean loss gives the same value for a batch repeated twice; a sum gives twice it.
SUM_RATIO = (1.9, 2.1)
# The lecture's bands for the relative error of a gradient check (CS231n, "Gradient
# checks"): above 1e-2 the gradient is probably wrong; 1e-4 to 1e-2 is uncomfortable.
GRADIENT_ERROR = 1e-2
GRADIENT_WARNING = 1e-4
# Output i must not depend on input j ≠ i: in float32, anything above roundoff is a leak.
BATCH_LEAK = 1e-4
# Karpathy's input-independent baseline: the same model trained on zeroed inputs learns
# only the label prior. When the real model is no better than it on validation — not
# significantly better on the paired per-example losses (t > −1) and, for a classifier,
# not above chance by two standard errors — the inputs tell it nothing about the labels.
# A model that merely starts slowly is also level with the baseline, so the accusation
# needs the model to have fitted its *training* data: a training loss at least
# MIN_TRAIN_GAIN below the baseline's. In 200 steps, memorizing shuffled labels lowers the
# training loss by 6–9% (spiral, Fashion-MNIST); a slow healthy start by 1–3%.
NOT_BETTER_T = -1.0
SIGNIFICANCE = 2.0
MIN_TRAIN_GAIN = 0.05


def sanity_findings(checks: dict) -> list:
    """Findings from the preflight's measurements (keys as ``doctor`` stores them)."""
    findings = []
    initial = checks.get("initial_loss")
    if initial and initial["expected"] is not None:
        loss, expected = initial["loss"], initial["expected"]
        if not math.isfinite(loss) or loss > INITIAL_LOSS_FACTOR * expected:
            findings.append(Finding("initial_loss_off", "warning", {
                "loss": loss, "expected": expected, "ratio": loss / expected}))
    reduction = checks.get("loss_reduction")
    if reduction and SUM_RATIO[0] <= reduction["ratio"] <= SUM_RATIO[1]:
        findings.append(Finding("loss_not_mean", "error", {
            "loss": reduction["loss"], "loss_of_doubled_batch": reduction["loss_of_doubled_batch"],
            "ratio": reduction["ratio"]}))
    regularization = checks.get("regularization")
    if regularization and not regularization["rise"] > 0:
        findings.append(Finding("regularization_no_effect", "warning", {
            "loss": regularization["loss"], "regularized_loss": regularization["regularized_loss"],
            "strength": regularization["strength"]}))
    overfit = checks.get("overfit")
    if overfit and not overfit.get("fitted", True):
        achieved = overfit.get("accuracy", overfit.get("relative_loss", math.nan))
        findings.append(Finding("cannot_overfit", "warning", {
            "examples": overfit["examples"], "steps": overfit.get("steps", 0),
            "achieved": achieved, "measure": "accuracy" if "accuracy" in overfit else
            "relative_loss", "final_loss": overfit.get("final_loss", math.nan)}))
    gradients = checks.get("gradient_check")
    if gradients and gradients["worst_error"] > GRADIENT_WARNING:
        severity = "error" if gradients["worst_error"] > GRADIENT_ERROR else "warning"
        findings.append(Finding("gradient_check_failed", severity, {
            "layer": gradients["worst_layer"], "relative_error": gradients["worst_error"],
            "checked": gradients["checked"]}))
    independence = checks.get("batch_independence")
    if independence and math.isfinite(independence.get("leak", math.nan)) and \
            independence["leak"] > BATCH_LEAK:
        findings.append(Finding("batch_mixing", "error", {
            "leak": independence["leak"], "example": independence["example"],
            "other_example": independence["other_example"]}))
    return findings


def baseline_findings(final: dict, baseline: dict, comparison: dict | None) -> list:
    """``labels_not_learnable``: after the same training, the model fits its training data
    better than the zeroed-input baseline but is no better on validation.

    Args:
        final: the model's last measurements (train_loss, val_loss, val_accuracy).
        baseline: ``sanity.zero_input_baseline``'s measurements.
        comparison: the paired difference of the validation losses (model − baseline):
            ``{"mean", "se", "n"}``.
    """
    if not final or not baseline or "val" not in baseline or not comparison or \
            comparison["n"] < 2 or not comparison["se"] > 0:
        return []
    model_train, base_train = final.get("train_loss", math.nan), baseline["train"]["loss"]
    if not (math.isfinite(model_train) and base_train > 0):
        return []
    train_gain = 1.0 - model_train / base_train
    not_better = comparison["mean"] / comparison["se"] > NOT_BETTER_T
    if "val_accuracy" in final and "accuracy" in baseline["val"]:
        chance = max(baseline["val"]["accuracy"], 1.0 / max(final.get("classes", 2), 2))
        margin = SIGNIFICANCE * math.sqrt(chance * (1 - chance) / comparison["n"])
        not_better = not_better and final["val_accuracy"] < chance + margin
    if not_better and train_gain >= MIN_TRAIN_GAIN:
        return [Finding("labels_not_learnable", "error", {
            "val_loss": final["val_loss"], "baseline_val_loss": baseline["val"]["loss"],
            "train_loss": model_train, "baseline_train_loss": base_train,
            "difference": comparison["mean"], "standard_error": comparison["se"],
            "train_gain": train_gain})]
    return []
