"""The training doctor: find what is wrong with a model or a training run, say why, and
prove it.

- ``doctor(model, loss_fn, train, val)``: a preflight (structure, data, the lecture's
  sanity checks), a short training with telemetry, findings, and counter-experiments that
  confirm a cause before accusing it.
- ``watch(model, optimizer)``: observe a training loop you wrote yourself, then
  ``w.report()``.
- ``Telemetry(every=10)``: a Trainer callback recording per-layer statistics
  (``glassnet train --diagnose``).
- ``lr_find``: the learning-rate range test; ``layer_statistics``: the lecture's
  activation-distribution experiment.

A ``Report`` lists ``Finding``s (code, severity, message, evidence, cause, advice, rule),
most severe first, in English or Persian (``lang="fa"``); the codes are listed in
``catalogue.CODES``.
"""

from glassnet.diagnose.catalogue import CODES, SEVERITIES
from glassnet.diagnose.doctor import doctor
from glassnet.diagnose.findings import Finding, Report
from glassnet.diagnose.layer_statistics import init_experiment, layer_statistics
from glassnet.diagnose.lr_find import LRFindResult, lr_find
from glassnet.diagnose.telemetry import Telemetry, TelemetryData
from glassnet.diagnose.watch import watch

__all__ = [
    "CODES",
    "SEVERITIES",
    "Finding",
    "LRFindResult",
    "Report",
    "Telemetry",
    "TelemetryData",
    "doctor",
    "init_experiment",
    "layer_statistics",
    "lr_find",
    "watch",
]
