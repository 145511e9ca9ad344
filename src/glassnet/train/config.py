"""``TrainConfig``: every option of a training run, from defaults, a TOML file and the CLI.

Precedence: the defaults below, then the config file (``--config run.toml``; keys are the
field names), then command-line options. An unknown key, a value of the wrong type or out
of range is a ``ConfigError`` naming the file, the line and the key. The same rules hold
however a value arrives (TOML, command line, Python): every float is finite, widths are
non-empty lists of positive integers, a run name is one safe path component.

Resuming a run (``glassnet train --resume``) may change only ``RESUME_MAY_CHANGE``: options
that say where things are or how long to go on, not what the run computes. Every other
option must equal the one the run was started with (``glassnet.train.run_folder``).
"""

import dataclasses
import math
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
# Schedules laid out over the run's total steps: changing epochs on resume would bend them.
SCHEDULES_OVER_THE_RUN = ("step", "exponential", "inverse_time", "cosine", "one_cycle")
# Options a resumed run may change (epochs: see SCHEDULES_OVER_THE_RUN).
RESUME_MAY_CHANGE = frozenset({"epochs", "data_dir", "download", "out", "name", "progress"})
MAX_NAME_BYTES = 255  # a file name's limit on Linux, macOS and Windows file systems


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
    label_smoothing: float = 0.0  # share of each target spread evenly over the classes
    early_stopping: int | None = None  # patience in epochs; None disables it
    augment: list[str] | None = None  # names from AUGMENTATIONS, applied in that order
    seed: int = 0
    out: str = "runs"
    name: str | None = None
    progress: bool | None = None  # None: a bar on a terminal, plain lines otherwise

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            optional = value is None and type(None) in get_args(field.type)
            if not (optional or _has_type(value, field.type)):
                raise ConfigError(
                    f"{field.name}: expected {_type_name(field.type)}, but got "
                    f"{type(value).__name__} {value!r}."
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"{field.name}: expected a finite number, but got {value!r}.")
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
        _check(0 <= self.label_smoothing < 1, "label_smoothing", self.label_smoothing,
               "in [0, 1), e.g. 0.1")
        _check(self.warmup_epochs >= 0, "warmup_epochs", self.warmup_epochs, "a number >= 0")
        _check(self.seed >= 0, "seed", self.seed, "a non-negative integer")
        for name in ("train_limit", "early_stopping"):
            value = getattr(self, name)
            _check(value is None or value >= 1, name, value, "a positive integer")
        for name in self.augment or []:
            _check_choice(name, AUGMENTATIONS, "augment")
        _check(self.clip_norm is None or self.clip_norm > 0, "clip_norm", self.clip_norm,
               "a positive number")
        if self.train_limit is not None and not 0 < round(
                self.val_fraction * self.train_limit) < self.train_limit:
            raise ConfigError(
                f"train_limit: {self.train_limit} example(s) with val_fraction "
                f"{self.val_fraction:g} leave {round(self.val_fraction * self.train_limit)} for "
                "validation, so one set would be empty. Use a larger train_limit (e.g. 100) or "
                "another val_fraction."
            )
        if self.warmup_epochs > self.epochs:
            raise ConfigError(
                f"warmup_epochs: expected at most the number of epochs ({self.epochs}), but got "
                f"{self.warmup_epochs!r}: the learning rate would never reach lr. Shorten the "
                "warm-up or train longer."
            )
        for name in ("hidden", "channels"):
            widths = getattr(self, name)
            _check(widths is None or (len(widths) > 0 and min(widths) >= 1), name, widths,
                   "a non-empty list of positive widths such as [256, 128] (for a model "
                   "without hidden layers use model softmax_regression)")
        for name in ("out", "data_dir"):
            path = getattr(self, name)
            _check(path is None or (path != "" and "\0" not in path), name, path,
                   "a folder path")
        if self.name is not None:
            check_run_name(self.name)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def load_config(path=None, overrides: dict | None = None, *,
                base: dict | None = None) -> TrainConfig:
    """Defaults ← ``base`` ← the TOML file at ``path`` ← ``overrides`` (keys whose value is
    not None).

    Args:
        base: options to start from instead of the defaults (a resumed run's recorded
            config); keys that are not options are ignored.

    Raises:
        ConfigError: a TOML syntax error, an unknown key or a bad value, naming file:line.
    """
    known = {f.name for f in fields(TrainConfig)}
    values = {k: v for k, v in (base or {}).items() if k in known}
    values.update(_read_toml(Path(path)) if path is not None else {})
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = sorted(str(key) for key in values if key not in known)
    if unknown:
        raise ConfigError(
            f"config: unknown option(s) {', '.join(unknown)}. Valid: {', '.join(sorted(known))}."
        )
    return TrainConfig(**values)


def read_config_file(path) -> dict:
    """The options in the TOML file at ``path``, each checked for its name and type (not yet
    against each other: ``load_config`` does that).

    Raises:
        ConfigError: naming the file, the line and the key.
    """
    return _read_toml(Path(path))


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"config: cannot read {path}: {error.strerror}.") from None
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: expected a UTF-8 text file, but byte {error.object[error.start]:#04x} "
            "is not UTF-8. Save the file as UTF-8 (TOML files must be)."
        ) from None
    except ValueError as error:  # a path with a NUL character in it
        raise ConfigError(f"config: cannot read {str(path)!r}: {error}.") from None
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


def check_run_name(name: str) -> None:
    """A run name is one safe path component: never ``.``, ``..``, a path or a control
    character (a newline), and short enough for a file name. Any script is fine (Persian too)."""
    size = len(name.encode("utf-8", errors="surrogatepass"))
    if any(c in "/\\" for c in name):
        why = "it is a path; use --out for the parent folder"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        why = "it holds a control character such as a newline"
    elif name in ("", ".", ".."):
        why = "that is not a folder name of its own"
    elif size > MAX_NAME_BYTES:
        why = f"it is {size} bytes long, more than the {MAX_NAME_BYTES} a file name may have"
    elif name != name.strip():
        why = "it starts or ends with a space"
    else:
        return
    shown = repr(name) if len(name) <= 60 else repr(name[:57] + "...")
    raise ConfigError(
        f"name: expected one folder name (no / or \\, no control characters, not . or .., at "
        f"most {MAX_NAME_BYTES} bytes), but got {shown}: {why}. Choose a name such as lr-0.01."
    )


def _check(ok: bool, name: str, value, expected: str) -> None:
    if not ok:
        raise ConfigError(f"{name}: expected {expected}, but got {value!r}.")
