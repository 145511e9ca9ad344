"""Experiments on top of ordinary training runs: comparisons of runs that differ in one
factor (``compare``), reports on any run folders (``report``), hyperparameter search on
Optuna (``search``), and the pieces they are made of — run records, factors, results
tables, findings and the report builder.

Example:
    >>> from glassnet.experiments import compare, parse_space, report, search
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
from glassnet.experiments.search import SearchSummary, search
from glassnet.experiments.space import Param, parse_space

__all__ = [
    "FACTORS",
    "Comparison",
    "Param",
    "Report",
    "ReportFigure",
    "RunRecord",
    "SearchSummary",
    "Section",
    "compare",
    "comparison_sections",
    "load_run",
    "parse_space",
    "parse_vary",
    "plan_runs",
    "report",
    "search",
    "write_report",
]
