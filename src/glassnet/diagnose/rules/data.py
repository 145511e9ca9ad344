"""Rules over the data's measurements (``data_checks.DataStats``): NaN, labels, scale,
class balance and validation examples copied from the training set."""

from glassnet.diagnose.findings import Finding
from glassnet.diagnose.loss_info import CLASS_INDEX_KINDS

# Standardized inputs have mean 0 and std 1 (the lecture: zero-centre and normalize).
# These bounds are far from that: a mean more than 3 units from 0, a std above 5 or below
# 0.05. Pixels in [0, 1] (mean ≈ 0.3, std ≈ 0.35) pass; pixels in [0, 255] do not.
MAX_ABS_MEAN = 3.0
MAX_STD = 5.0
MIN_STD = 0.05
# Judgment: a 10:1 ratio between the largest and the smallest class is where a classifier
# that predicts the majority looks good while learning little about the minority.
IMBALANCE_RATIO = 10.0
# Shares of validation examples that are byte-for-byte copies of training examples. A few
# copies occur naturally in discrete data (the spiral's centre point, blank images); a
# leak from building validation out of training data shows as a large share.
LEAKAGE_WARNING = 0.05
LEAKAGE_ERROR = 0.20
LEAKAGE_MIN_COUNT = 3


def data_findings(stats, *, loss_kind=None) -> list:
    """Findings about the data, from ``DataStats``."""
    findings = []
    if stats.nonfinite_inputs or stats.nonfinite_targets:
        findings.append(Finding("nonfinite_inputs", "error", {
            "inputs": stats.nonfinite_inputs, "targets": stats.nonfinite_targets}))
    findings += _labels(stats, loss_kind)
    if not stats.nonfinite_inputs and stats.std > 0 and (
            abs(stats.mean) > MAX_ABS_MEAN or stats.std > MAX_STD or stats.std < MIN_STD):
        findings.append(Finding("inputs_not_normalized", "warning", {
            "mean": stats.mean, "std": stats.std, "min": stats.min, "max": stats.max}))
    if stats.imbalance_ratio >= IMBALANCE_RATIO and stats.prior_loss is not None:
        counts = [c for c in stats.class_counts if c > 0]
        findings.append(Finding("class_imbalance", "warning", {
            "ratio": stats.imbalance_ratio, "largest": max(counts), "smallest": min(counts),
            "prior_loss": stats.prior_loss, "uniform_loss": stats.uniform_loss}))
    if stats.val_duplicate_share >= LEAKAGE_WARNING and stats.val_duplicates >= LEAKAGE_MIN_COUNT:
        severity = "error" if stats.val_duplicate_share >= LEAKAGE_ERROR else "warning"
        findings.append(Finding("val_leakage", severity, {
            "duplicates": stats.val_duplicates, "val_examples": stats.n_val,
            "share": stats.val_duplicate_share}))
    return findings


def _labels(stats, loss_kind) -> list:
    if stats.task != "classification" or loss_kind not in CLASS_INDEX_KINDS:
        return []
    low, high, outputs = stats.label_min, stats.label_max, stats.num_outputs
    if low < 0 or (outputs is not None and high >= outputs):
        return [Finding("labels_out_of_range", "error", {
            "label_min": low, "label_max": high, "outputs": outputs})]
    return []
