"""``SearchPlan``: everything a search's workers need, written once as ``search.json`` in the
search folder so that worker processes, a rerun of the same command and the report read the
same thing.

A search folder looks like::

    <out>/search-<study>/
        search.json            this plan (base config, space per round, sampler, storage …)
        study.db | journal.log the Optuna study, unless --storage names a database
        trials/trial-0007/     one ordinary run folder per trial (round 0)
        trials-round1/…        the trials of the first refinement round
        workers/               the log of each worker process
        leaderboard.csv  best.toml  figures/  report.md  report.html
"""

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.errors import ConfigError
from glassnet.experiments.space import Param, parse_param
from glassnet.experiments.storage import StorageChoice, open_storage
from glassnet.train.config import TrainConfig

PLAN_FILE = "search.json"
SAMPLERS = ("random", "grid", "tpe")


@dataclass
class SearchPlan:
    """A search: ``trials`` per round of ``epochs_per_trial`` epochs each, over ``spaces``
    (round 0's space, then one narrowed space per refinement round as it starts)."""

    folder: Path
    study: str
    base: dict  # the TrainConfig every trial starts from, as JSON
    spaces: list  # per round: the parameter specs ("lr=log:1e-05:0.1", …)
    sampler: str = "random"
    trials: int = 20
    epochs_per_trial: int = 2
    refine: int = 0
    prune: bool = True
    seed: int = 0
    storage: StorageChoice = field(default_factory=lambda: StorageChoice("sqlite"))

    def __post_init__(self):
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"search: expected --sampler one of {list(SAMPLERS)}, but got "
                              f"{self.sampler!r}.")
        for name in ("trials", "epochs_per_trial"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"search: expected {name} to be a positive integer, but got "
                                  f"{getattr(self, name)!r}.")
        if not isinstance(self.refine, int) or self.refine < 0:
            raise ConfigError(f"search: expected refine to be 0 or more rounds, but got "
                              f"{self.refine!r}.")

    def space(self, round_index: int) -> tuple[Param, ...]:
        return tuple(parse_param(spec) for spec in self.spaces[round_index])

    def study_name(self, round_index: int) -> str:
        return self.study if round_index == 0 else f"{self.study}-refine{round_index}"

    def trial_folder(self, round_index: int, number: int) -> Path:
        trials = "trials" if round_index == 0 else f"trials-round{round_index}"
        return self.folder / trials / f"trial-{number:04d}"

    def base_config(self) -> TrainConfig:
        return TrainConfig(**self.base)

    def open_storage(self):
        return open_storage(self.storage)

    def description(self, round_index: int) -> dict:
        """What makes round ``round_index`` this search: machines joining the study must
        agree on it (folders and storage may differ between machines; the number of trials
        may change, to extend a search or end it sooner)."""
        base = {key: value for key, value in self.base.items()
                if key not in ("out", "name", "progress", "data_dir")}
        return {"base": base, "space": self.spaces[round_index], "sampler": self.sampler,
                "epochs_per_trial": self.epochs_per_trial, "prune": self.prune,
                "seed": self.seed}

    def write(self) -> None:
        record = dataclasses.asdict(self)
        record["folder"] = str(self.folder)
        atomic_write(self.folder / PLAN_FILE, json.dumps(record, indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> "SearchPlan":
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        record["folder"] = Path(record["folder"])
        record["storage"] = StorageChoice(**record["storage"])
        return cls(**record)
