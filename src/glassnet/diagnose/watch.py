"""``watch``: observe a training loop you wrote yourself, without changing it.

    with glassnet.diagnose.watch(model, optimizer) as w:
        for X, y in loader:               # your own loop, unchanged
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    print(w.report())

How it sees the loop, through the model only:

- a forward hook on the model counts training steps (forward passes with a graph) and
  evaluation passes (without one), and keeps the first inputs to trace the model later;
- it passes the model's output through an identity op, so it also learns when
  ``backward`` starts: at that moment a gradient already sitting in ``.grad`` after the
  parameters moved means the gradients were never cleared (``stale_gradients``);
- on recorded steps, at that same moment, it makes sure every parameter the loss reaches
  has a ``.grad`` array (zeros where it was None) and keeps a reference to it, so it can
  read that step's gradients after ``backward`` even if the loop clears them right after
  the update;
- forward hooks on the layers measure activations (as ``Telemetry`` does).

NOTE: on recorded steps a parameter's ``.grad`` starts as an array of zeros rather than
None; the sum backward puts there is the same number.
"""

import math

import numpy as np

from glassnet.autograd.function import Function
from glassnet.autograd.grad_mode import is_grad_enabled
from glassnet.diagnose import rules, stats
from glassnet.diagnose.findings import Report
from glassnet.diagnose.loss_info import loss_kind
from glassnet.diagnose.telemetry import LayerProbe, TelemetryData
from glassnet.diagnose.trace import layer_of_parameters
from glassnet.diagnose.trace import trace as trace_model
from glassnet.errors import ConfigError
from glassnet.nn import BatchNorm1d, BatchNorm2d, Dropout, Module, Parameter
from glassnet.tensor import Tensor

_RANDOM_LAYERS = (Dropout, BatchNorm1d, BatchNorm2d)
TRACE_EXAMPLES = 32


class _BackwardProbe(Function):
    """Identity whose backward tells ``watch`` that a backward pass has started."""

    def forward(self, x, *, observer):
        self.save_for_backward(observer)
        return x

    def backward(self, grad_out):
        (observer,) = self.saved
        observer(self.inputs[0])
        return grad_out


class watch:  # noqa: N801 - a context manager used like a function, as no_grad
    """Observe ``model`` while your own loop trains it; ``report()`` gives the findings.

    Args:
        model: the Module your loop trains.
        optimizer: optional; only its class name and learning rate go into the summary.
        loss_fn: optional loss Module (e.g. ``nn.CrossEntropyLoss()``) your loop calls;
            when given, its values are recorded and the loss rules apply.
        every: record activations and gradients every ``every`` training steps.
        window: dead ReLU units are those silent in the last ``window`` recorded batches.
        lang: the report's language.

    Example:
        >>> import numpy as np
        >>> import glassnet as gn
        >>> from glassnet import nn, optim
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> optimizer = optim.SGD(model.parameters(), lr=0.1)
        >>> X, y = np.random.default_rng(0).standard_normal((32, 4)), np.zeros(32, int)
        >>> with watch(model, optimizer) as w:
        ...     for step in range(5):      # a loop that forgets optimizer.zero_grad()
        ...         nn.CrossEntropyLoss()(model(gn.tensor(X)), y).backward()
        ...         optimizer.step()
        >>> w.report().codes("error")
        ['stale_gradients']
    """

    def __init__(self, model, optimizer=None, *, loss_fn=None, every: int = 10,
                 window: int = 3, lang: str = "en"):
        if not isinstance(model, Module):
            raise ConfigError(f"watch: expected a glassnet Module, but got "
                              f"{type(model).__name__}.")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"watch: expected every >= 1 (steps), but got {every!r}.")
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.every, self.window, self.lang = every, window, lang
        self.data = TelemetryData(every=every)
        self.observed = {"steps": 0, "backward_passes": 0, "stale_steps": 0,
                         "first_stale_step": None, "eval_in_train_mode": 0,
                         "random_layers": sorted({type(m).__name__ for m in model.modules()
                                                  if isinstance(m, _RANDOM_LAYERS)})}
        self._owners = layer_of_parameters(model)
        self._names = {id(p): name for name, p in model.named_parameters()}
        self._handles = []
        self._probe = None
        self._inputs = None
        self._reached = set()
        self._held = {}
        self._before = {}
        self._pending_step = None
        self._fingerprint = None
        self._tracing = False

    # ----- context manager ----------------------------------------------------------------

    def __enter__(self) -> "watch":
        self._probe = LayerProbe(self.model, window=self.window)
        self._probe.active = True  # step 1 is recorded
        self._handles.append(self.model.register_forward_hook(self._on_forward))
        if isinstance(self.loss_fn, Module):
            self._handles.append(self.loss_fn.register_forward_hook(self._on_loss))
        return self

    def __exit__(self, *exc_info) -> bool:
        self._collect_gradients()
        self._probe.remove()
        for handle in self._handles:
            handle.remove()
        self._handles = []
        return False

    # ----- events ---------------------------------------------------------------------------

    def _on_forward(self, module, args, output):
        if self._tracing or not isinstance(output, Tensor):
            return None
        if not is_grad_enabled():
            if module.training and self.observed["random_layers"]:
                self.observed["eval_in_train_mode"] += 1
            return None
        if not module.training:
            return None
        self._collect_gradients()
        self.observed["steps"] += 1
        step = self.observed["steps"]
        if self._inputs is None and args:
            first = args[0].data if isinstance(args[0], Tensor) else np.asarray(args[0])
            self._inputs = np.array(first[:TRACE_EXAMPLES])
        layers = self._probe.take()
        if layers:
            self.data.records.append({"step": step, "layers": layers, "params": {}})
            self._pending_step = step
        self._probe.active = (step % self.every) == 0  # the next step is 1 + k·every
        if not self.loss_fn:
            self.data.losses.append(math.nan)
        return _BackwardProbe.apply(output, observer=self._on_backward)

    def _on_loss(self, module, args, output) -> None:
        if is_grad_enabled() and isinstance(output, Tensor) and output.data.size == 1:
            value = float(output.item())
            if len(self.data.losses) >= self.observed["steps"] and self.data.losses:
                self.data.losses[-1] = value
            else:
                self.data.losses.append(value)

    def _on_backward(self, output: Tensor) -> None:
        """A backward pass from the model's output has started (gradients not yet added)."""
        self.observed["backward_passes"] += 1
        params = self._parameters_reached(output)
        fingerprint = sum(float(np.sum(p.data)) for p in params)
        moved = self._fingerprint is not None and fingerprint != self._fingerprint
        self._fingerprint = fingerprint
        if moved and any(p.grad is not None and np.any(p.grad) for p in params):
            self.observed["stale_steps"] += 1
            if self.observed["first_stale_step"] is None:
                self.observed["first_stale_step"] = self.observed["steps"]
        if self._pending_step is not None and not self._held:
            for p in params:
                if p.grad is None:
                    p.grad = np.zeros_like(p.data)
                self._held[id(p)] = (p, p.grad, p.grad.copy())
                self._before[id(p)] = p.data.astype(np.float64)

    # ----- reading what was held ----------------------------------------------------------

    def _parameters_reached(self, output: Tensor) -> list:
        """The trainable parameters the graph of ``output`` reaches (they get gradients)."""
        found, seen, stack = [], set(), [output]
        while stack:
            tensor = stack.pop()
            if id(tensor) in seen:
                continue
            seen.add(id(tensor))
            if tensor._ctx is None:
                if isinstance(tensor, Parameter) and tensor.requires_grad:
                    found.append(tensor)
                continue
            stack.extend(x for x in tensor._ctx.inputs if isinstance(x, Tensor))
        self._reached.update(id(p) for p in found)
        return found

    def _collect_gradients(self) -> None:
        """Turn the gradients held from the last recorded backward pass into parameter
        statistics on that step's record."""
        if not self._held or self._pending_step is None:
            return
        record = next(r for r in reversed(self.data.records) if r["step"] == self._pending_step)
        for key, (p, grad, already) in self._held.items():
            name = self._names.get(key, "?")
            entry = stats.parameter_stats(p.data, grad - already, self._before.get(key))
            record["params"][name] = {"layer": self._owners.get(name, ""),
                                      "matrix": p.data.ndim >= 2, **entry}
        self._held, self._before, self._pending_step = {}, {}, None

    # ----- findings -----------------------------------------------------------------------

    def report(self, lang: str | None = None) -> Report:
        """The findings on what was observed so far."""
        self._collect_gradients()
        findings = rules.loop_findings(self.observed)
        records = [r for r in self.data.records if r["params"] or r["layers"]]
        data = TelemetryData(every=self.every, records=records, losses=self.data.losses)
        findings += rules.training_findings(data) if self.loss_fn else \
            rules.activation_findings(records) + rules.gradient_findings(records)
        if self._inputs is not None:
            self._tracing = True
            try:
                traced = trace_model(self.model, self._inputs)
            finally:
                self._tracing = False
            unused = [name for name, p in self.model.named_parameters()
                      if p.requires_grad and id(p) not in self._reached] \
                if self.observed["backward_passes"] else []
            findings += rules.structure_findings(
                traced, loss_kind=loss_kind(self.loss_fn) if self.loss_fn else None,
                targets=np.zeros(0), unused=unused)
        summary = {key: value for key, value in self.observed.items()}
        if self.optimizer is not None:
            summary.update(optimizer=type(self.optimizer).__name__,
                           lr=self.optimizer.current_lr())
        return Report(findings, summary=summary, lang=lang or self.lang)
