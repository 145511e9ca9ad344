"""The doctor's rules, one module per family. Each is a pure function from measured
numbers (telemetry records, the preflight's results, curves) to a list of ``Finding``s, and
each can be tested on a hand-built record.

``training_findings`` applies the families that read what a training run records (loss,
activations, gradients, fit): the Telemetry callback and ``watch`` use it, and ``doctor``
adds the preflight's families.
"""

from glassnet.diagnose.rules.activations import activation_findings
from glassnet.diagnose.rules.data import data_findings
from glassnet.diagnose.rules.fit import fit_findings, series
from glassnet.diagnose.rules.gradients import gradient_findings
from glassnet.diagnose.rules.loop import loop_findings
from glassnet.diagnose.rules.loss import curve, loss_findings
from glassnet.diagnose.rules.sanity import baseline_findings, sanity_findings
from glassnet.diagnose.rules.structure import structure_findings

__all__ = [
    "activation_findings",
    "baseline_findings",
    "curve",
    "data_findings",
    "fit_findings",
    "gradient_findings",
    "loop_findings",
    "loss_findings",
    "sanity_findings",
    "structure_findings",
    "training_findings",
]


def training_findings(data, *, final: bool = True, probe=None, checkpoints=(),
                      baseline=None, weight_decay: float = 0.0) -> list:
    """The findings of the training-time rules on ``TelemetryData``.

    Args:
        final: False while the run is still going: only the findings that cannot change
            with more steps (a NaN, dead or saturated units, vanishing signals).
        probe: (step, loss) pairs on a fixed probe set, when measured.
        checkpoints, baseline, weight_decay: for the fit rules (see ``rules.fit``).
    """
    summary = curve(data.losses, probe)
    findings = loss_findings(summary, records=data.records, nonfinite=data.nonfinite,
                             final=final)
    findings += activation_findings(data.records)
    findings += gradient_findings(data.records)
    if final:
        findings += fit_findings(series(checkpoints, data.epochs), baseline=baseline,
                                 weight_decay=weight_decay)
    return findings
