"""``Telemetry``: a Trainer callback that measures every layer every ``every`` steps.

On a recorded step it measures, per layer, the activations' mean, std, histogram, the share
of saturated tanh/sigmoid units and the share of ReLU units that never fired over the last
``window`` recorded batches; per parameter, the gradient's norm and RMS and the
update/weight ratio ‖ΔW‖/‖W‖. Every step it keeps the batch loss and checks the gradients
for NaN/Inf; at the first non-finite value it replays that batch's forward pass to name the
first layer whose output was not finite. Epoch metrics (train/val loss and accuracy) are
kept too.

Given a run folder (``folder=`` or, inside ``glassnet.train.run``, the run's own), it
appends one JSON line per record to ``telemetry.jsonl`` and, at the end, writes the
findings of the training-time rules to ``findings.json``; given a ``stream``, it prints a
finding the first time it appears.

The cost is a forward hook per layer (a flag test on steps that are not recorded) and a
sum over the gradients each step; the reference CNN trains at most ~10% slower with
``every=10`` (benchmarks/diagnose_overhead.py measures it).

Example:
    >>> import numpy as np
    >>> from glassnet import models, nn, optim
    >>> from glassnet.data import blobs
    >>> from glassnet.train.trainer import Trainer
    >>> X, y = blobs(50, 3, generator=np.random.default_rng(0))
    >>> model = models.mlp(2, [16], 3, generator=np.random.default_rng(0))
    >>> telemetry = Telemetry(every=5)
    >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
    ...                   callbacks=[telemetry])
    >>> _ = trainer.fit((X, y), epochs=2, batch_size=50)
    >>> [record["step"] for record in telemetry.data().records]
    [1, 6]
    >>> sorted(telemetry.data().records[0]["layers"])
    ['1', '2', '3']
"""

import json
import math
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet.atomic_write import atomic_write
from glassnet.autograd.grad_mode import is_grad_enabled, no_grad
from glassnet.creation import as_tensor
from glassnet.diagnose import stats
from glassnet.diagnose.trace import RELU_LIKE, SATURATING, layer_of_parameters, leaf_modules
from glassnet.errors import ConfigError
from glassnet.nn import Dropout, Flatten, Identity
from glassnet.nn.parameter import Buffer
from glassnet.tensor import Tensor

SKIPPED_LAYERS = (Flatten, Identity, Dropout)  # they pass values on; nothing to measure


@dataclass
class TelemetryData:
    """What a Telemetry (or ``watch``) recorded: plain values, as in telemetry.jsonl.

    Attributes:
        every: the recording interval in steps.
        records: one dict per recorded step: ``step``, ``loss``, ``layers`` (name → type,
            mean, std, min, max, hist, edges, saturated, dead) and ``params`` (name →
            layer, weight_norm, grad_norm, grad_rms, update_ratio).
        losses: the loss of every step (NaN where unknown).
        epochs: the Trainer's epoch metrics (loss, train_accuracy, val_loss, ...).
        nonfinite: where the first NaN/Inf appeared (step, layer, where), or None.
    """

    every: int = 10
    records: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    nonfinite: dict | None = None

    @classmethod
    def from_jsonl(cls, path) -> "TelemetryData":
        """Read a ``telemetry.jsonl`` back (a torn last line is skipped)."""
        data = cls()
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            try:
                record = _from_json_safe(json.loads(line))
            except json.JSONDecodeError:
                continue
            kind = record.pop("kind", None)
            if kind == "meta":
                data.every = record["every"]
            elif kind == "step":
                data.losses.extend(float(v) for v in record.pop("losses", []))
                data.records.append(record)
            elif kind == "losses":
                data.losses.extend(float(v) for v in record["losses"])
            elif kind == "epoch":
                data.epochs.append(record)
            elif kind == "nonfinite":
                data.nonfinite = record
        return data


class LayerProbe:
    """Forward hooks on a model's leaf layers that measure activations when ``active``.

    Shared by Telemetry and ``watch``. ``layers`` collects one stats dict per layer per
    recorded forward pass (the first call of each layer); ``fired`` keeps, per ReLU layer,
    the units that fired in each of the last ``window`` recorded batches.
    """

    def __init__(self, model, *, window: int = 3):
        self.model = model
        self.active = False
        self.layers = {}
        self.fired = {}
        self.window = window
        self.handles = []
        for name, module in leaf_modules(model):
            if isinstance(module, SKIPPED_LAYERS):
                continue
            self.handles.append(module.register_forward_hook(self._hook(name)))

    def _hook(self, name):
        def hook(module, args, output):
            if not self.active or name in self.layers or not isinstance(output, Tensor):
                return
            if not is_grad_enabled() or not module.training:
                return  # an evaluation pass, not a training step
            values = output.data
            record = {"type": type(module).__name__,
                      **stats.activation_stats(values,
                                               saturation_range=SATURATING.get(type(module)))}
            if isinstance(module, RELU_LIKE) and values.ndim >= 1:
                history = self.fired.setdefault(name, deque(maxlen=self.window))
                history.append(stats.fired_units(values))
                alive = np.logical_or.reduce(list(history))
                record["dead"] = float(f"{1.0 - alive.mean():.4g}")
            self.layers[name] = record
        return hook

    def take(self) -> dict:
        """The layers measured since the last ``take`` (and forget them)."""
        layers, self.layers = self.layers, {}
        return layers

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []


class Telemetry:
    """Trainer callback recording per-layer telemetry every ``every`` steps.

    Args:
        every: record steps 1, 1 + every, 1 + 2·every, ...
        folder: write ``telemetry.jsonl`` and ``findings.json`` there (inside
            ``glassnet.train.run`` the run folder is used when this is None).
        stream: print each finding there the first time it appears (None: silent).
        window: dead ReLU units are those that did not fire in the last ``window``
            recorded batches.
        lang: the language of printed and saved findings ("en" or "fa").
    """

    def __init__(self, every: int = 10, *, folder=None, stream=None, window: int = 3,
                 lang: str = "en"):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"Telemetry: expected every >= 1 (steps), but got {every!r}.")
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ConfigError(f"Telemetry: expected window >= 1, but got {window!r}.")
        self.every, self.window, self.stream, self.lang = every, window, stream, lang
        self.folder = Path(folder) if folder is not None else None
        self._data = TelemetryData(every=every)
        self._probe = None
        self._file = None
        self._model = None
        self._before = {}
        self._grads = {}
        self._printed = set()
        self._last_inputs = None
        self._input_handle = None
        self._written = 0  # losses already in telemetry.jsonl

    def set_run_folder(self, folder) -> None:
        """Called by ``glassnet.train.run``: write into the run folder unless told otherwise."""
        if self.folder is None:
            self.folder = Path(folder)

    def data(self) -> TelemetryData:
        return self._data

    # ----- Trainer hooks ------------------------------------------------------------------

    def on_train_begin(self, state) -> None:
        model = self._model = state.trainer.model
        self._owners = layer_of_parameters(model)
        self._params = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        self._probe = LayerProbe(model, window=self.window)
        self._input_handle = model.register_forward_hook(self._keep_inputs)
        self._probe.active = self._records(state.step + 1)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / "telemetry.jsonl"
            self._file = open(path, "a" if state.step > 0 else "w", encoding="utf-8")  # noqa: SIM115
            if state.step == 0:
                self._write({"kind": "meta", "every": self.every})

    def on_before_step(self, state) -> None:
        if self._data.nonfinite is None and not self._gradients_finite():
            self._locate_nonfinite(state.step + 1, "gradient")
        if not self._probe.active:
            return
        self._grads = {name: p.grad for name, p in self._params}
        self._before = {name: p.data.astype(np.float64) for name, p in self._params}

    def on_batch_end(self, state) -> None:
        self._data.losses.append(float(state.batch_loss))
        if self._data.nonfinite is None and not math.isfinite(state.batch_loss):
            self._locate_nonfinite(state.step, "loss")
        if self._probe.active:
            self._record(state)
        self._probe.active = self._records(state.step + 1)

    def on_epoch_end(self, state) -> None:
        self._data.epochs.append(dict(state.metrics))
        self._write({"kind": "epoch", **state.metrics})

    def on_train_end(self, state) -> None:
        self._probe.remove()
        self._input_handle.remove()
        if self._written < len(self._data.losses):
            self._write({"kind": "losses", "losses": self._data.losses[self._written:]})
            self._written = len(self._data.losses)
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.folder is not None:
            report = self.report()
            atomic_write(self.folder / "findings.json", report.dumps() + "\n")
        self._print_new(final=True)

    def report(self, lang: str | None = None):
        """The findings of the training-time rules on what was recorded."""
        from glassnet.diagnose.findings import Report
        from glassnet.diagnose.rules import training_findings

        return Report(training_findings(self._data), lang=lang or self.lang)

    # ----- recording ----------------------------------------------------------------------

    def _records(self, step: int) -> bool:
        return (step - 1) % self.every == 0

    def _record(self, state) -> None:
        params = {}
        for name, p in self._params:
            grad = self._grads.get(name)
            entry = stats.parameter_stats(p.data, grad, self._before.get(name))
            params[name] = {"layer": self._owners.get(name, ""), "matrix": p.data.ndim >= 2,
                            **entry}
        losses_since = self._data.losses[self._written:]
        self._written = len(self._data.losses)
        record = {"step": state.step, "epoch": state.epoch + 1,
                  "loss": float(state.batch_loss), "layers": self._probe.take(),
                  "params": params}
        self._data.records.append(record)
        self._before, self._grads = {}, {}
        self._write({"kind": "step", **record, "losses": losses_since})
        self._print_new(final=False)

    def _keep_inputs(self, module, args, output) -> None:
        if is_grad_enabled() and module.training and args:
            self._last_inputs = args[0]

    def _gradients_finite(self) -> bool:
        total = 0.0
        for _, p in self._params:
            if p.grad is not None:
                total += float(np.sum(p.grad))
        return math.isfinite(total) or all(
            p.grad is None or np.isfinite(p.grad).all() for _, p in self._params)

    def _locate_nonfinite(self, step: int, where: str) -> None:
        """Replay the last training batch's forward pass and name the first layer whose
        parameters or output are not finite; randomness and buffers are restored, so the
        run itself is unchanged."""
        layer = first_nonfinite_layer(self._model, self._last_inputs)
        self._data.nonfinite = {"step": step, "layer": layer, "where": where}
        self._write({"kind": "nonfinite", **self._data.nonfinite})

    def _write(self, record: dict) -> None:
        if self._file is not None:
            self._file.write(json.dumps(_json_safe(record)) + "\n")
            self._file.flush()

    def _print_new(self, *, final: bool) -> None:
        if self.stream is None:
            return
        from glassnet.diagnose.rules import training_findings

        for finding in training_findings(self._data, final=final):
            if finding.code not in self._printed and finding.severity != "info":
                self._printed.add(finding.code)
                finding = finding.in_language(self.lang)
                print(f"doctor [{finding.severity}] {finding.code}: {finding.message}",
                      file=self.stream, flush=True)


def first_nonfinite_layer(model, inputs) -> str | None:
    """The name of the first leaf layer (in call order) with a non-finite parameter or
    output when ``model`` runs on ``inputs``; None when every value stays finite.

    The forward pass runs in the model's current mode without a graph; generator states
    and buffers (batch norm's running statistics) are put back afterwards.
    """
    if inputs is None:
        return None
    found = []
    handles = []
    for name, module in leaf_modules(model):
        def hook(module, args, output, name=name):
            if found:
                return
            own = [v for _, v in module._named_members() if isinstance(v, Tensor)]
            values = [output] + own
            if any(isinstance(v, Tensor) and not np.isfinite(v.data).all() for v in values):
                found.append(name)
        handles.append(module.register_forward_hook(hook))
    saved = preserve_randomness_and_buffers(model)
    try:
        with no_grad():
            model(as_tensor(inputs))
    finally:
        saved()
        for handle in handles:
            handle.remove()
    return found[0] if found else None


def preserve_randomness_and_buffers(model):
    """Snapshot glassnet's default generator, every generator a layer holds, and every
    buffer; return a function that puts them back."""
    from glassnet import random as glassnet_random

    default_state = glassnet_random.default_generator().bit_generator.state
    generators = [value for module in model.modules() for value in vars(module).values()
                  if isinstance(value, np.random.Generator)]
    generator_states = [g.bit_generator.state for g in generators]
    buffers = [(b, b.data.copy()) for b in model.buffers() if isinstance(b, Buffer)]

    def restore():
        glassnet_random.default_generator().bit_generator.state = default_state
        for generator, generator_state in zip(generators, generator_states):
            generator.bit_generator.state = generator_state
        for buffer, data in buffers:
            buffer.data[...] = data
    return restore


def _from_json_safe(value):
    """Undo ``_json_safe``: the strings "nan", "inf", "-inf" become floats again."""
    if isinstance(value, dict):
        return {k: _from_json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json_safe(v) for v in value]
    if value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def _json_safe(value):
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return _json_safe(value.item())
    return value
