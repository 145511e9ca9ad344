"""``doctor``: find what is wrong with a model and its training setup, say why, prove it.

1. Preflight (seconds): the model's structure (traced), the data (scale, NaN, labels,
   balance, leakage), the loss against the output and the labels, and the sanity checks
   (initial loss, loss with regularization, overfitting 20 examples, a float64 gradient
   check, batch independence).
2. A short training (``steps`` steps, the user's optimizer settings, Adam 1e-3 by default)
   with Telemetry, evaluated on fixed training and validation subsets every tenth of the
   run, beside the same training on zeroed inputs (the input-independent baseline).
3. The rules over everything measured; then, for suspected causes with a cheap fix, a
   counter-experiment from the same start (``confirm.py``).

The model's parameters, buffers, mode and random generators, and the optimizer's state,
are the same afterwards as before.
"""

import math
import time

import numpy as np

from glassnet import optim
from glassnet.creation import as_tensor
from glassnet.diagnose import rules, sanity
from glassnet.diagnose.confirm import CounterExperiments
from glassnet.diagnose.data_checks import measure_data
from glassnet.diagnose.experiment import (
    clone_optimizer,
    evaluate,
    example_losses,
    paired_difference,
    saved_state,
)
from glassnet.diagnose.findings import Finding, Report
from glassnet.diagnose.loss_info import loss_kind, loss_name
from glassnet.diagnose.telemetry import Telemetry
from glassnet.diagnose.trace import trace as trace_model
from glassnet.errors import ConfigError, GlassnetError, ShapeError
from glassnet.random import manual_seed
from glassnet.train.trainer import Trainer

VAL_SHARE = 0.2  # held out of train when no validation set is given
MIN_SPLIT = 50  # ... if there are at least this many examples
PROBE_EXAMPLES = 512  # fixed training and validation subsets evaluated during the run
TRACE_EXAMPLES = 32
# Findings that mean the run is not learning; a confirmed cause of one becomes an error.
FAILING = ("nonfinite_loss", "loss_increasing", "underfitting", "cannot_overfit",
           "labels_not_learnable")
FATAL = ("nonfinite_inputs", "labels_out_of_range")


def doctor(model, loss_fn, train, val=None, *, optimizer=None, steps: int = 200,
           seeds=(0,), batch_size: int = 64, every: int = 10, confirm: bool = True,
           lang: str = "en") -> Report:
    """Diagnose ``model`` trained with ``loss_fn`` on ``train``: preflight, a short
    training, findings.

    Args:
        model: the Module to diagnose.
        loss_fn: ``loss_fn(outputs, targets) -> scalar Tensor``.
        train: (X, y) arrays.
        val: (X, y) for validation; None holds out 20% of ``train`` (≥ 50 examples).
        optimizer: the optimizer whose settings are used (it is cloned, never stepped);
            default Adam with lr 1e-3.
        steps: optimizer steps of the short training.
        seeds: one short training per seed (batch order and dropout); a finding seen in
            any of them is reported.
        batch_size: examples per step.
        every: telemetry interval in steps.
        confirm: run the counter-experiments.
        lang: "en" or "fa".

    Returns:
        A ``Report``; ``report.has_errors`` says whether an error-level finding exists.

    Example:
        >>> import numpy as np
        >>> from glassnet import models, nn
        >>> from glassnet.data import blobs
        >>> X, y = blobs(100, 3, generator=np.random.default_rng(0))
        >>> model = nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 3))  # no nonlinearity
        >>> report = doctor(model, nn.CrossEntropyLoss(), (X, y), steps=20, confirm=False)
        >>> report.codes("error")
        ['no_nonlinearity']
    """
    X, y = _arrays(train, "train")
    _check_options(steps, seeds, batch_size, every)
    val_from_train = val is None and len(X) >= MIN_SPLIT
    if val is not None:
        X_val, y_val = _arrays(val, "val")
    elif val_from_train:
        (X, y), (X_val, y_val) = _split(X, y)
    else:
        X_val = y_val = None
    if optimizer is None:
        optimizer = optim.Adam(model.parameters(), lr=1e-3)
    clone_optimizer(optimizer)  # fails early, with a clear message, for one it cannot copy
    started = time.perf_counter()
    # Diagnosing a diverging run overflows on purpose: NumPy's warnings about it are noise.
    with saved_state(model, optimizer), np.errstate(all="ignore"):
        result = _diagnose(model, loss_fn, optimizer, (X, y),
                           None if X_val is None else (X_val, y_val), steps=steps,
                           seeds=tuple(seeds), batch_size=batch_size, every=every,
                           confirm=confirm)
    findings, preflight, summary = result
    summary.update(seconds=time.perf_counter() - started, val_from_train=val_from_train,
                   loss=loss_name(loss_fn), optimizer=type(optimizer).__name__,
                   lr=optimizer.current_lr())
    return Report(findings, preflight=preflight, summary=summary, lang=lang)


def _diagnose(model, loss_fn, optimizer, train, val, *, steps, seeds, batch_size, every,
              confirm):
    X, y = train
    kind = loss_kind(loss_fn)
    traced = trace_model(model, X[:TRACE_EXAMPLES])
    width = traced.output.shape[1] if traced.output.ndim == 2 else 1
    data = measure_data(train, val, num_outputs=width)
    preflight = {"data": data.to_json(), "loss_kind": kind, "outputs": width}
    summary = {"steps": 0}
    findings = rules.data_findings(data, loss_kind=kind)
    if any(f.code in FATAL for f in findings):
        return findings, preflight, summary
    problem = _loss_problem(model, loss_fn, X[:TRACE_EXAMPLES], y[:TRACE_EXAMPLES])
    if problem is not None:
        return findings + [problem], preflight, summary
    findings += rules.structure_findings(traced, loss_kind=kind, targets=y[:2000],
                                         unused=_unused_parameters(model, loss_fn, X, y,
                                                                   batch_size))
    checks = _sanity_checks(model, loss_fn, optimizer, X, y, kind=kind, width=width)
    preflight["checks"] = checks
    findings += rules.sanity_findings(checks)
    probe = _probe(train, seeds[0])
    val_probe = None if val is None else _probe(val, seeds[0])
    baseline, baseline_examples = sanity.zero_input_baseline(
        model, loss_fn, train, val_probe, steps=steps, batch_size=batch_size,
        generator=np.random.default_rng(seeds[0]))
    preflight["baseline"] = baseline
    weight_decay = max(g.weight_decay for g in optimizer.param_groups)
    per_seed = []
    for seed in seeds:
        run = _short_run(model, loss_fn, optimizer, train, probe, val_probe, steps=steps,
                         batch_size=batch_size, every=every, seed=seed, classes=width)
        found = rules.training_findings(run["telemetry"], probe=run["probe"],
                                        checkpoints=run["checkpoints"], baseline=baseline,
                                        weight_decay=weight_decay)
        comparison = None if baseline_examples is None else \
            paired_difference(run["val_examples"], baseline_examples)
        found += rules.baseline_findings(run["final"], baseline, comparison)
        per_seed.append(found)
        summary.setdefault("runs", []).append({"seed": seed, **run["final"]})
    summary["steps"] = steps
    findings += _merge_seeds(per_seed)
    if confirm:
        failing = any(f.code in FAILING for f in findings)
        experiments = CounterExperiments(model, loss_fn, optimizer, train, probe, traced,
                                         batch_size=batch_size, seed=seeds[0])
        findings = [experiments.confirm(f, failing=failing) for f in findings]
        findings = _by_elimination(findings)
    return findings, preflight, summary


def _by_elimination(findings: list) -> list:
    """``labels_not_learnable`` is concluded by elimination (the model fits its training
    data but learns nothing that carries to validation); when a counter-experiment has
    confirmed another cause of the poor training, it is downgraded and names that cause."""
    confirmed = [f for f in findings if f.confirmation and f.confirmation["helped"]]
    if not confirmed:
        return findings
    explained = []
    for finding in findings:
        if finding.code == "labels_not_learnable" and finding.severity == "error":
            evidence = {**finding.evidence, "explained_by": confirmed[0].code}
            finding = Finding(finding.code, "warning", evidence)
        explained.append(finding)
    return explained


def _sanity_checks(model, loss_fn, optimizer, X, y, *, kind, width) -> dict:
    few = X[:PROBE_EXAMPLES], y[:PROBE_EXAMPLES]
    weight_decay = max(g.weight_decay for g in optimizer.param_groups)
    return {
        "initial_loss": sanity.initial_loss(model, loss_fn, *few, kind=kind,
                                            num_outputs=width),
        "loss_reduction": sanity.loss_reduction(model, loss_fn, X[:64], y[:64]),
        "regularization": sanity.regularization_rise(model, loss_fn, *few,
                                                     weight_decay=weight_decay),
        "overfit": sanity.overfit_small(model, loss_fn, optimizer, X, y,
                                        generator=np.random.default_rng(0)),
        "gradient_check": sanity.run_gradient_check(model, loss_fn, X, y),
        "batch_independence": sanity.batch_independence(model, X),
    }


class _Monitor:
    """Evaluate the probe sets every ``interval`` steps; stop at ``steps`` or at the first
    non-finite loss."""

    def __init__(self, loss_fn, probe, val_probe, *, steps: int, interval: int):
        self.loss_fn, self.probe, self.val_probe = loss_fn, probe, val_probe
        self.steps, self.interval = steps, interval
        self.checkpoints = []

    def on_train_begin(self, state) -> None:
        self._measure(state)

    def on_batch_end(self, state) -> None:
        if not math.isfinite(state.batch_loss):
            state.stop(f"non-finite loss at step {state.step}", failed=True)
            return
        if state.step % self.interval == 0 or state.step >= self.steps:
            self._measure(state)
        if state.step >= self.steps:
            state.stop("doctor: step budget reached")

    def _measure(self, state) -> None:
        model = state.trainer.model
        point = {"step": state.step}
        train = evaluate(model, self.loss_fn, *self.probe)
        point["train_loss"] = train["loss"]
        if "accuracy" in train:
            point["train_accuracy"] = train["accuracy"]
        if self.val_probe is not None:
            val = evaluate(model, self.loss_fn, *self.val_probe)
            point["val_loss"] = val["loss"]
            if "accuracy" in val:
                point["val_accuracy"] = val["accuracy"]
        self.checkpoints.append(point)


def _short_run(model, loss_fn, optimizer, train, probe, val_probe, *, steps, batch_size,
               every, seed, classes) -> dict:
    with saved_state(model):
        manual_seed(seed)
        telemetry = Telemetry(every=every)
        monitor = _Monitor(loss_fn, probe, val_probe, steps=steps,
                           interval=max(1, steps // 10))
        trainer = Trainer(model, loss_fn, clone_optimizer(optimizer),
                          callbacks=[telemetry, monitor],
                          generator=np.random.default_rng(seed))
        per_epoch = math.ceil(len(train[0]) / batch_size)
        trainer.fit(train, None, epochs=math.ceil(steps / per_epoch), batch_size=batch_size)
        val_examples = None if val_probe is None else example_losses(model, loss_fn,
                                                                     *val_probe)
    points = monitor.checkpoints
    final = dict(points[-1]) if points else {}
    if final:
        final["classes"] = classes
    return {"telemetry": telemetry.data(), "checkpoints": points, "final": final,
            "val_examples": val_examples,
            "probe": [(p["step"], p["train_loss"]) for p in points]}


def _merge_seeds(per_seed: list) -> list:
    """One finding per code: the most severe instance over the seeds, noting how many
    seeds showed it when there were several."""
    best = {}
    counts = {}
    for found in per_seed:
        for finding in found:
            counts[finding.code] = counts.get(finding.code, 0) + 1
            if finding.code not in best or finding.sort_key() < best[finding.code].sort_key():
                best[finding.code] = finding
    if len(per_seed) > 1:
        for code, finding in best.items():
            finding.evidence["seeds"] = f"{min(counts[code], len(per_seed))}/{len(per_seed)}"
    return list(best.values())


def _loss_problem(model, loss_fn, X, y):
    """A ``loss_output_mismatch`` finding when the loss cannot be computed on the model's
    output and the targets (or is not a single number), else None."""
    try:
        loss = loss_fn(model(as_tensor(X)), y)
        value = float(loss.item())
    except (GlassnetError, ValueError, TypeError, IndexError) as error:
        return Finding("loss_output_mismatch", "error", {
            "loss_expects": loss_kind(loss_fn) or "unknown", "problem": "error",
            "error": str(error).split(". ")[0]})
    del value
    return None


def _unused_parameters(model, loss_fn, X, y, batch_size: int) -> list:
    with saved_state(model):
        for p in model.parameters():
            p.grad = None
        model.train()
        loss_fn(model(as_tensor(X[:batch_size])), y[:batch_size]).backward()
        return [name for name, p in model.named_parameters()
                if p.requires_grad and p.grad is None]


def _probe(data, seed: int) -> tuple:
    X, y = data
    if len(X) <= PROBE_EXAMPLES:
        return X, y
    chosen = np.sort(np.random.default_rng(seed).choice(len(X), PROBE_EXAMPLES,
                                                        replace=False))
    return X[chosen], y[chosen]


def _split(X, y):
    order = np.random.default_rng(0).permutation(len(X))
    held = max(1, round(VAL_SHARE * len(X)))
    return (X[order[held:]], y[order[held:]]), (X[order[:held]], y[order[:held]])


def _arrays(data, name: str):
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ConfigError(
            f"doctor: expected {name} = (inputs, targets), but got {type(data).__name__}. "
            "Pass a tuple of two arrays, e.g. train=(X, y)."
        )
    X, y = (np.asarray(part) for part in data)
    if len(X) != len(y):
        raise ShapeError(
            f"doctor: expected as many {name} targets as inputs, but got {len(X)} inputs and "
            f"{len(y)} targets. Check that X and y come from the same split."
        )
    if len(X) < 2:
        raise ShapeError(f"doctor: expected at least 2 {name} examples, but got {len(X)}.")
    if X.dtype.kind not in "f":
        X = X.astype(np.float32)
    return X, y


def _check_options(steps, seeds, batch_size, every) -> None:
    for name, value, low in (("steps", steps, 10), ("batch_size", batch_size, 1),
                             ("every", every, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"doctor: expected {name} to be an integer >= {low}, but got "
                              f"{value!r}.")
    seeds = tuple(seeds)
    if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ConfigError(f"doctor: expected seeds to be non-negative integers, such as "
                          f"(0,), but got {seeds!r}.")
