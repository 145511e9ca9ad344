"""The search space of a hyperparameter search: which training options vary, and how.

A parameter is written ``NAME=KIND:...`` on the command line (``--param``) or as a top-level
key of a ``--space`` TOML file (``lr = "log:1e-5:1e-1"``, or a list for a choice:
``activation = ["relu", "tanh"]``), NAME being a ``glassnet train`` option:

- ``lr=log:1e-5:1e-1``: a number drawn uniformly in log space (the lecture's
  ``lr = 10^U(-5,-1)``), for options that take a number;
- ``dropout=float:0:0.5``: uniformly in a range;
- ``batch_size=int:32:256``: a whole number in a range (``intlog:`` for log space);
- ``activation=choice:relu,tanh`` or ``hidden=choice:128,256-128``: one of a list; a layer
  list is written with dashes, as in "MLP 784-256-128-10".

The grid sampler needs values, so every parameter of a grid search is a ``choice``.

Example:
    >>> space = parse_space(["lr=log:1e-4:1e-1", "hidden=choice:128,256-128"])
    >>> [param.spec for param in space]
    ['lr=log:0.0001:0.1', 'hidden=choice:128,256-128']
    >>> space[1].value("256-128")
    [256, 128]
"""

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal, get_args, get_origin

from glassnet.errors import ConfigError
from glassnet.train.config import TrainConfig

KINDS = ("log", "float", "int", "intlog", "choice")
# Options that say where and how a run is written, not how it learns: never searched.
NOT_SEARCHABLE = ("out", "name", "progress", "data_dir", "download", "dataset", "seed")


@dataclass(frozen=True)
class Param:
    """One searched option: ``kind`` "log"/"float"/"int"/"intlog" with ``low``/``high``, or
    "choice" with ``choices`` (as written: strings such as "256-128" or "relu")."""

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()

    @property
    def log(self) -> bool:
        return self.kind in ("log", "intlog")

    @property
    def spec(self) -> str:
        """The parameter as written on the command line."""
        if self.kind == "choice":
            return f"{self.name}=choice:{','.join(self.choices)}"
        return f"{self.name}={self.kind}:{_number(self.low)}:{_number(self.high)}"

    def suggest(self, trial):
        """Draw this parameter in an Optuna ``trial`` (a trial that drew it before, e.g. one
        adopted from a dead worker, gets the same value back)."""
        if self.kind == "choice":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind in ("int", "intlog"):
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def value(self, drawn):
        """The value for TrainConfig of what the sampler drew (a choice string is parsed)."""
        if self.kind != "choice":
            return [int(drawn)] if _field_kind(self.name) == "list" else drawn
        return _parse_value(self.name, drawn)


def parse_param(text: str) -> Param:
    """``"lr=log:1e-5:1e-1"`` → Param; a ConfigError names what is wrong and the syntax."""
    name, equals, rest = text.partition("=")
    name = name.strip().replace("-", "_")
    kind, colon, arguments = rest.partition(":")
    if not equals or not colon or kind not in KINDS:
        raise ConfigError(
            f"--param: expected NAME=KIND:..., KIND one of {list(KINDS)} (e.g. "
            f"lr=log:1e-5:1e-1, hidden=choice:128,256), but got {text!r}."
        )
    field = _field_kind(name)
    if kind == "choice":
        choices = tuple(part.strip() for part in arguments.split(",") if part.strip())
        if len(choices) < 2 or len(set(choices)) < len(choices):
            raise ConfigError(f"--param {name}: expected at least two different choices, but "
                              f"got {arguments!r}. Write them comma-separated: choice:a,b.")
        for choice in choices:
            _parse_value(name, choice)  # every choice must be a valid value of the option
        return Param(name, kind, choices=choices)
    low, high = _bounds(name, arguments)
    if kind in ("int", "intlog"):
        if field not in ("int", "list") or low != int(low) or high != int(high):
            raise ConfigError(f"--param {name}: {kind} needs an option taking whole numbers "
                              f"and whole bounds, but got {text!r}.")
    elif field != "float":
        raise ConfigError(f"--param {name}: {kind} ranges are for options taking a number; "
                          f"{name} takes {_type_text(name)}. Use choice:... instead.")
    if kind in ("log", "intlog") and low <= 0:
        raise ConfigError(f"--param {name}: log-space bounds must be positive, but got "
                          f"{_number(low)}. E.g. {name}=log:1e-6:1e-2.")
    return Param(name, kind, low, high)


def parse_space(texts) -> tuple[Param, ...]:
    """Several ``--param`` values → the space, each option at most once."""
    space = tuple(parse_param(text) for text in texts)
    names = [param.name for param in space]
    if not space:
        raise ConfigError("search: expected at least one --param (e.g. --param "
                          "lr=log:1e-5:1e-1), but got none.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"search: each option can be searched once, but {repeated} is given "
                          "more than once.")
    return space


def apply_params(config: TrainConfig, values: dict) -> TrainConfig:
    """``config`` with the searched options set to ``values`` (already converted by
    ``Param.value``), validated like any config."""
    return dataclasses.replace(config, **values)


def grid_values(space) -> dict:
    """``{name: [choices]}`` for Optuna's GridSampler; every parameter must be a choice."""
    ranges = [param.spec for param in space if param.kind != "choice"]
    if ranges:
        raise ConfigError(f"search: the grid sampler needs values, not ranges: {ranges}. "
                          "Write them as choices (lr=choice:1e-3,1e-2) or use --sampler "
                          "random or tpe.")
    return {param.name: list(param.choices) for param in space}


def narrow(space, best_params: list[dict], *, margin: float = 2.0) -> tuple[Param, ...]:
    """The coarse-to-fine step: each range shrunk to span the ``best_params`` (the values the
    best trials drew), widened by ``margin`` (a factor in log space, a share of the span in
    linear space) and kept inside the old range; choices reduced to those the best trials
    used (all of them if fewer than two remain)."""
    narrowed = []
    for param in space:
        drawn = [params[param.name] for params in best_params if param.name in params]
        if not drawn:
            narrowed.append(param)
        elif param.kind == "choice":
            kept = tuple(choice for choice in param.choices if choice in drawn)
            narrowed.append(dataclasses.replace(param, choices=kept) if len(kept) > 1
                            else param)
        else:
            narrowed.append(_narrow_range(param, min(drawn), max(drawn), margin))
    return tuple(narrowed)


def _narrow_range(param: Param, low: float, high: float, margin: float) -> Param:
    if param.log:
        low, high = low / margin, high * margin
    else:
        spread = (high - low) * (margin - 1) / 2 or (param.high - param.low) * 0.1
        low, high = low - spread, high + spread
    low, high = max(low, param.low), min(high, param.high)
    if param.kind in ("int", "intlog"):
        low, high = math.floor(low), math.ceil(high)
    if low >= high:  # every best trial drew one value: keep a small range around it
        return param
    return dataclasses.replace(param, low=low, high=high)


def _bounds(name: str, arguments: str) -> tuple[float, float]:
    parts = arguments.split(":")
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise ConfigError(f"--param {name}: expected two numbers LOW:HIGH, but got "
                          f"{arguments!r}.") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ConfigError(f"--param {name}: expected finite bounds with LOW < HIGH, but got "
                          f"{arguments!r}.")
    return low, high


def _field_kind(name: str) -> str:
    """"float", "int", "list", "bool" or "str": what the TrainConfig option ``name`` takes."""
    fields = {field.name: field for field in dataclasses.fields(TrainConfig)}
    if name not in fields or name in NOT_SEARCHABLE:
        searchable = sorted(set(fields) - set(NOT_SEARCHABLE))
        raise ConfigError(f"--param: {name!r} is not a searchable option. Searchable: "
                          f"{', '.join(searchable)}.")
    annotation = fields[name].type
    options = [option for option in get_args(annotation) if option is not type(None)]
    if get_origin(annotation) is Literal or annotation is str:
        return "str"
    if get_origin(annotation) is list or any(get_origin(o) is list for o in options):
        return "list"
    base = options[0] if options else annotation
    return {float: "float", int: "int", bool: "bool"}.get(base, "str")


def _type_text(name: str) -> str:
    return {"float": "a number", "int": "a whole number", "list": "a list of widths",
            "bool": "true or false", "str": "a name"}[_field_kind(name)]


def _parse_value(name: str, text: str):
    """A choice as written → the option's value, checked by TrainConfig's own validation."""
    kind = _field_kind(name)
    try:
        value = {
            "float": float,
            "int": int,
            "list": lambda t: [int(width) for width in t.split("-")],
            "bool": lambda t: {"true": True, "false": False}[t.lower()],
            "str": str,
        }[kind](text)
    except (ValueError, KeyError):
        raise ConfigError(f"--param {name}: {text!r} is not {_type_text(name)}"
                          + (" (layers as 256-128)" if kind == "list" else "") + ".") from None
    TrainConfig(**{name: value})  # raises ConfigError naming the option for a bad value
    return value


def _number(value: float) -> str:
    return f"{value:g}"
