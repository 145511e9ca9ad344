"""Rules over the train/validation curves: overfitting, underfitting, and regularization
strong enough to cause the latter.

The lecture's picture: a big gap between training and validation accuracy is overfitting
(more data, more regularization); no gap and both low is underfitting (a bigger model, less
regularization, train longer).
"""

import math

from glassnet.diagnose.findings import Finding

# Judgment: 15 points of accuracy between training and validation is a gap a student
# should act on; for regression, a validation loss twice the training loss.
ACCURACY_GAP = 0.15
REGRESSION_GAP = 2.0
# Underfitting: the training loss still above half the loss of the zeroed-input baseline,
# i.e. the model explains less than half of what can be explained beyond the label prior
# (a pseudo-R² below 0.5).
UNDERFIT_REMAINING = 0.5
# Far worse than the baseline (half again its loss) is not a lack of capacity but a run
# that is failing: the loss rules say why.
FAILING_REMAINING = 1.5


def series(checkpoints=(), epochs=()) -> list:
    """One list of {step, train_loss, train_accuracy, val_loss, val_accuracy} records, from
    the doctor's checkpoints or the Trainer's epoch metrics."""
    if checkpoints:
        return list(checkpoints)
    return [{"step": e.get("epoch"), "train_loss": e.get("loss"),
             "train_accuracy": e.get("train_accuracy"), "val_loss": e.get("val_loss"),
             "val_accuracy": e.get("val_accuracy")} for e in epochs]


def fit_findings(points, *, baseline=None, weight_decay: float = 0.0) -> list:
    if not points:
        return []
    last = points[-1]
    findings = []
    overfit = _overfitting(points)
    findings += overfit
    if baseline and not overfit:
        base = baseline["train"]["loss"]
        train_loss = last.get("train_loss")
        if train_loss is not None and math.isfinite(train_loss) and base > 0 and \
                UNDERFIT_REMAINING * base <= train_loss <= FAILING_REMAINING * base:
            evidence = {"train_loss": train_loss, "baseline_loss": base,
                        "remaining": train_loss / base, "step": last["step"]}
            if last.get("train_accuracy") is not None:
                evidence["train_accuracy"] = last["train_accuracy"]
            findings.append(Finding("underfitting", "warning", evidence))
            if weight_decay > 0:
                findings.append(Finding("over_regularized", "warning", {
                    "weight_decay": weight_decay, **evidence}))
    return findings


def _overfitting(points) -> list:
    last = points[-1]
    train_acc, val_acc = last.get("train_accuracy"), last.get("val_accuracy")
    if train_acc is not None and val_acc is not None:
        if train_acc - val_acc >= ACCURACY_GAP:
            return [Finding("overfitting", "warning", {
                "measure": "accuracy", "train": train_acc, "val": val_acc,
                "gap": train_acc - val_acc, "step": last["step"]})]
        return []
    train_loss, val_loss = last.get("train_loss"), last.get("val_loss")
    if train_loss is None or val_loss is None or not train_loss > 0:
        return []
    best_val = min(p["val_loss"] for p in points if p.get("val_loss") is not None)
    if val_loss >= REGRESSION_GAP * train_loss and val_loss > best_val:
        return [Finding("overfitting", "warning", {
            "measure": "loss", "train": train_loss, "val": val_loss, "best_val": best_val,
            "gap": val_loss / train_loss, "step": last["step"]})]
    return []
