"""Many training runs at once: hyperparameter search (Optuna), from one laptop to many
machines."""

from glassnet.experiments.search import SearchSummary, search
from glassnet.experiments.space import Param, parse_space

__all__ = ["Param", "SearchSummary", "parse_space", "search"]
