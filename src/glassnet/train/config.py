"""``TrainConfig``: every option of a training run, from defaults, a TOML file and the CLI.

Precedence: the defaults below, then the config file (``--config run.toml``; keys are the
field names), then command-line options. An unknown key, a value of the wrong type or out
of range is a ``ConfigError`` naming the file, the line and the key.
"""

import dataclasses
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal, get_args, get_origin

from glassnet.data.datasets.registry import available_datasets
from glassnet.errors import ConfigError
from glassnet.models import ARCHITECTURES, choices

DATASETS = tuple(available_datasets())
MODELS = tuple(sorted(ARCHITECTURES))
ACTIVATIONS = tuple(choices.ACTIVATIONS)
INITS = tuple(choices.INITIALIZERS)
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
AUGMENTATIONS = ("crop", "flip", "erase")  # glassnet.data.augment: RandomCrop, HorizontalFlip, …
SCHEDULES = ("constant", "step", "exponential", "inverse_time", "cosine", "one_cycle",
             "plateau")


@dataclass
class TrainConfig:
    """The options of ``glassnet train`` (and of ``glassnet.train.run``)."""

    dataset: Literal[DATASETS] = "fashion-mnist"
    data_dir: str | None = None
    download: bool = False
    model: Literal[MODELS] = "cnn"
    hidden: list[int] | None = None  # FC widths (mlp, cnn); None: the model's default
    channels: list[int] | None = None  # conv widths per block (cnn, resnet)
    activation: str = "relu"
    init: str = "default"
    batch_norm: bool = False
    dropout: float = 0.0
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "constant"
    warmup_epochs: float = 0.0
    batch_size: int = 128
    epochs: int = 5
    val_fraction: float = 0.1
    train_limit: int | None = None  # use only the first N training examples (quick runs)
    clip_norm: float | None = None
    early_stopping: int | None = None  # patience in epochs; None disables it
    augment: list[str] | None = None  # names from AUGMENTATIONS, applied in that order
    seed: int = 0
    out: str = "runs"
    name: str | None = None
    progress: bool | None = None  # None: a bar on a terminal, plain lines otherwise

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        _check_choice(self.model, MODELS, "model")
        _check_choice(self.optimizer, OPTIMIZERS, "optimizer")
        _check_choice(self.schedule, SCHEDULES, "schedule")
        _check_choice(self.activation, ACTIVATIONS, "activation")
        _check_choice(self.init, INITS, "init")
        _check_choice(self.dataset, DATASETS, "dataset")
        _check(self.lr > 0, "lr", self.lr, "a positive number, e.g. 1e-3")
        _check(self.batch_size >= 1, "batch_size", self.batch_size, "a positive integer")
        _check(self.epochs >= 1, "epochs", self.epochs, "a positive integer")
        _check(0 <= self.dropout < 1, "dropout", self.dropout, "a probability in [0, 1)")
        _check(0 < self.val_fraction < 1, "val_fraction", self.val_fraction, "in (0, 1)")
        _check(self.weight_decay >= 0, "weight_decay", self.weight_decay, "a number >= 0")
        _check(0 <= self.momentum < 1, "momentum", self.momentum, "in [0, 1)")
        _check(self.warmup_epochs >= 0, "warmup_epochs", self.warmup_epochs, "a number >= 0")
        _check(self.seed >= 0, "seed", self.seed, "a non-negative integer")
        for name in ("train_limit", "early_stopping"):
            value = getattr(self, name)
            _check(value is None or value >= 1, name, value, "a positive integer")
        for name in self.augment or []:
            _check_choice(name, AUGMENTATIONS, "augment")
        _check(self.clip_norm is None or self.clip_norm > 0, "clip_norm", self.clip_norm,
               "a positive number")

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def load_config(path=None, overrides: dict | None = None) -> TrainConfig:
    """Defaults ← the TOML file at ``path`` ← ``overrides`` (keys whose value is not None).

    Raises:
        ConfigError: a TOML syntax error, an unknown key or a bad value, naming file:line.
    """
    values = _read_toml(Path(path)) if path is not None else {}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return TrainConfig(**values)


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"config: cannot read {path}: {error.strerror}.") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: TOML syntax error: {error}.") from None
    known = {f.name: f for f in fields(TrainConfig)}
    for key, value in values.items():
        where = f"{path}:{_line_of(text, key)}"
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key {key!r}. Valid keys: {', '.join(sorted(known))}."
            )
        if not _has_type(value, known[key].type):
            raise ConfigError(
                f"{where}: {key} expects {_type_name(known[key].type)}, but got "
                f"{type(value).__name__} {value!r}."
            )
    return values


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 1


def _has_type(value, annotation) -> bool:
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    origin = get_origin(annotation)
    if origin is Literal:
        return value in get_args(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return isinstance(value, list) and all(_has_type(v, item) for v in value)
    return any(_has_type(value, option) for option in get_args(annotation) if option is not
               type(None))


def _type_name(annotation) -> str:
    """``int``, ``list[int] | None``, ``one of ['a', 'b']``: readable for an error message."""
    if get_origin(annotation) is Literal:
        return f"one of {list(get_args(annotation))}"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _check_choice(value, choices, name: str) -> None:
    if value not in choices:
        raise ConfigError(f"{name}: expected one of {list(choices)}, but got {value!r}.")


def _check(ok: bool, name: str, value, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{name}: expected {expected}, but got {value!r}.")
