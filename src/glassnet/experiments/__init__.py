"""Experiments on top of ordinary training runs: comparisons of runs that differ in one
factor (``compare``), reports on any run folders (``report``), and the pieces they are
made of — run records, factors, results tables, findings and the report builder — for
other experiments (a hyperparameter search) to reuse.

Example:
    >>> from glassnet.experiments import compare, report
"""

from glassnet.experiments.compare import Comparison, compare, plan_runs
from glassnet.experiments.factors import FACTORS, parse_vary
from glassnet.experiments.report import (
    Report,
    ReportFigure,
    Section,
    comparison_sections,
    report,
    write_report,
)
from glassnet.experiments.runs import RunRecord, load_run

__all__ = [
    "FACTORS",
    "Comparison",
    "Report",
    "ReportFigure",
    "RunRecord",
    "Section",
    "compare",
    "comparison_sections",
    "load_run",
    "parse_vary",
    "plan_runs",
    "report",
    "write_report",
]
