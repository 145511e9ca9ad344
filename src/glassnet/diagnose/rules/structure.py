"""Rules over the model's structure, read from a traced forward pass (``trace.Trace``):
layers in call order, what flows between them, the output, and the loss it feeds."""

import itertools

import numpy as np

from glassnet.diagnose.findings import Finding
from glassnet.diagnose.loss_info import CLASS_INDEX_KINDS
from glassnet.diagnose.trace import (
    AFFINE,
    BATCH_NORMS,
    LINEAR_PASS,
    OUTPUT_RANGES,
    same_per_example,
)
from glassnet.nn import Dropout, Sigmoid, Softmax

SQUASHING = (Softmax, Sigmoid)

# Srivastava et al. (2014), "Dropout": p = 0.5 (drop half) for hidden units is the
# strongest setting they recommend; beyond it the network sees too little of itself.
MAX_DROPOUT = 0.5
# Regression targets outside an output layer's range: more than 5% of them.
OUT_OF_RANGE_SHARE = 0.05
# Class-like regression targets: integers taking at most this many values.
CLASS_LIKE_VALUES = 20


def structure_findings(trace, *, loss_kind, targets, unused=()) -> list:
    """Findings about how the model and the loss are put together.

    Args:
        trace: the traced forward pass.
        loss_kind: ``loss_info.loss_kind(loss_fn)`` (None: unknown loss).
        targets: a sample of the training targets.
        unused: names of parameters that got no gradient from a backward pass.
    """
    findings = []
    findings += _stacked_affine(trace)
    findings += _probabilities_into_logit_loss(trace, loss_kind)
    findings += _loss_mismatch(trace, loss_kind, np.asarray(targets))
    findings += _output_range(trace, loss_kind, np.asarray(targets))
    findings += _dropout(trace)
    findings += _bias_before_batch_norm(trace)
    findings += _symmetric(trace)
    if unused:
        findings.append(Finding("unused_parameters", "warning", {
            "parameters": list(unused), "count": len(unused)}))
    return findings


def _stacked_affine(trace) -> list:
    """Two affine layers with only linear pass-through layers between them, and nothing
    else applied on the way (each layer's output is the next one's input): their product
    is one linear map."""
    calls, findings = trace.calls, []
    for i, call in enumerate(calls):
        if not isinstance(call.module, AFFINE):
            continue
        for j in range(i + 1, len(calls)):
            if not same_per_example(calls[j - 1].output, calls[j].input):
                break
            if isinstance(calls[j].module, AFFINE):
                findings.append(Finding("no_nonlinearity", "error", {
                    "first": f"{call.name} ({call.kind})",
                    "second": f"{calls[j].name} ({calls[j].kind})"}))
                break
            if not isinstance(calls[j].module, LINEAR_PASS):
                break
    return _merge_stacked(findings)


def _merge_stacked(findings: list) -> list:
    """One finding naming the first pair, with the number of such pairs."""
    if not findings:
        return []
    first = findings[0]
    first.evidence["pairs"] = len(findings)
    return [first]


def _probabilities_into_logit_loss(trace, loss_kind) -> list:
    """A loss that applies softmax/sigmoid itself, fed outputs that already went through
    one: the last layer is a Softmax or Sigmoid, or (a softmax written inside forward) every
    output row is a probability distribution that varies from example to example."""
    output = trace.output
    if loss_kind not in ("logits", "log_probs", "binary_logits") or output is None:
        return []
    if output.size < 2 or not np.isfinite(output).all():
        return []
    last = trace.calls[-1] if trace.calls else None
    squashing_layer = last is not None and isinstance(last.module, SQUASHING) and \
        same_per_example(last.output, output)
    sums = output.reshape(len(output), -1).sum(axis=1)
    varies = len(output) > 1 and float(output.std(axis=0).max()) > 0
    softmax_rows = varies and output.ndim == 2 and output.shape[1] > 1 and \
        bool(output.min() >= 0.0 and output.max() <= 1.0) and \
        bool(np.allclose(sums, 1.0, atol=1e-4))
    if squashing_layer or softmax_rows:
        return [Finding("softmax_before_loss", "error", {
            "last_layer": f"{last.name} ({last.kind})" if last else "?",
            "output_min": float(output.min()), "output_max": float(output.max()),
            "row_sum": float(sums.mean()), "loss_expects": loss_kind})]
    return []


def _loss_mismatch(trace, loss_kind, targets) -> list:
    output = trace.output
    width = output.shape[1] if output is not None and output.ndim == 2 else 1
    if loss_kind in CLASS_INDEX_KINDS and width == 1:
        return [Finding("loss_output_mismatch", "error", {
            "loss_expects": loss_kind, "outputs": width, "problem": "one_output"})]
    integers = targets.dtype.kind in "iu" or (
        targets.dtype.kind == "f" and np.isfinite(targets).all()
        and bool(np.all(targets == np.round(targets))))
    distinct = int(np.unique(targets).size)
    if loss_kind == "regression" and integers and distinct <= CLASS_LIKE_VALUES and \
            distinct > 2:
        return [Finding("loss_output_mismatch", "warning", {
            "loss_expects": loss_kind, "outputs": width, "distinct_targets": distinct,
            "problem": "class_indices"})]
    if loss_kind in ("binary_logits", "probabilities") and integers and targets.size and \
            (targets.max() > 1 or targets.min() < 0):
        return [Finding("loss_output_mismatch", "error", {
            "loss_expects": loss_kind, "outputs": width, "distinct_targets": distinct,
            "problem": "binary_loss_on_classes"})]
    return []


def _output_range(trace, loss_kind, targets) -> list:
    if not trace.calls or loss_kind not in ("regression", "probabilities"):
        return []
    last = trace.calls[-1]
    if loss_kind == "probabilities":
        output = trace.output
        if output is not None and (output.min() < 0 or output.max() > 1):
            return [Finding("output_range_mismatch", "error", {
                "last_layer": f"{last.name} ({last.kind})", "low": 0.0, "high": 1.0,
                "target_min": float(output.min()), "target_max": float(output.max()),
                "share_outside": 1.0})]
        return []
    bounds = OUTPUT_RANGES.get(type(last.module))
    if bounds is None or not targets.size:
        return []
    low, high = bounds
    outside = float(np.mean((targets < low) | (targets > high)))
    if outside > OUT_OF_RANGE_SHARE:
        return [Finding("output_range_mismatch", "error", {
            "last_layer": f"{last.name} ({last.kind})", "low": low, "high": high,
            "target_min": float(targets.min()), "target_max": float(targets.max()),
            "share_outside": outside})]
    return []


def _dropout(trace) -> list:
    strong = [(c.name, c.module.p) for c in trace.calls
              if isinstance(c.module, Dropout) and c.module.p > MAX_DROPOUT]
    if not strong:
        return []
    name, p = max(strong, key=lambda item: item[1])
    return [Finding("dropout_too_strong", "warning", {"layer": name, "p": p,
                                                      "layers": len(strong)})]


def _bias_before_batch_norm(trace) -> list:
    calls = trace.calls
    for before, after in itertools.pairwise(calls):
        if isinstance(before.module, AFFINE) and getattr(before.module, "bias", None) is not \
                None and isinstance(after.module, BATCH_NORMS) and \
                same_per_example(before.output, after.input):
            return [Finding("bias_before_batch_norm", "info", {
                "layer": f"{before.name} ({before.kind})",
                "batch_norm": f"{after.name} ({after.kind})"})]
    return []


def _symmetric(trace) -> list:
    """Hidden affine layers whose units all have the same weights: they compute the same
    thing and receive the same gradient, so they never become different."""
    affine = trace.affine_calls()
    seen, findings = set(), []
    for call in affine[:-1]:
        if id(call.module) in seen:
            continue
        seen.add(id(call.module))
        weight = call.module.weight.data
        units = weight.reshape(weight.shape[0], -1)
        if units.shape[0] < 2:
            continue
        spread = float(np.max(units.max(axis=0) - units.min(axis=0)))
        scale = float(np.abs(units).max())
        if spread <= 1e-7 * max(scale, 1e-12) or (scale == 0.0):
            findings.append(Finding("symmetric_init", "error", {
                "layer": f"{call.name} ({call.kind})", "units": int(units.shape[0]),
                "weight_spread": spread, "weight_max": scale}))
    return findings[:1] if findings else []
