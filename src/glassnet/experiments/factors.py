"""The factors of a comparison: which training options may vary, their values, and how they
read on the command line and in folder names.

A factor is a field of ``TrainConfig`` with two or more values. On the command line it is
``--vary key=value,value,...`` (``-`` or ``_`` in the key, as in the option's name); a list
of widths is written with dashes (``hidden=256-128,512-256``), an optional number as
``none`` (``clip_norm=none,1``), a switch as ``true,false``.

Example:
    >>> parse_vary(["activation=relu,tanh", "lr=1e-2,1e-3"])
    {'activation': ['relu', 'tanh'], 'lr': [0.01, 0.001]}
    >>> format_value([256, 128]), format_value(0.001), format_value(None)
    ('256-128', '0.001', 'none')
"""

import dataclasses
from typing import get_args, get_origin

from glassnet.errors import ConfigError
from glassnet.train.config import TrainConfig

# Fields that say where and how a run is written or shown, or which data it reads, not how
# it learns: they are never the factor of a comparison. The seed is varied by ``seeds``.
NOT_FACTORS = ("dataset", "data_dir", "download", "out", "name", "progress", "seed")
FACTORS = tuple(f.name for f in dataclasses.fields(TrainConfig) if f.name not in NOT_FACTORS)
_FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def parse_vary(texts) -> dict:
    """``["key=v1,v2", ...]`` → ``{key: [v1, v2]}`` with each value of the field's type.

    Raises:
        ConfigError: no ``=``, an unknown key (the message lists the valid ones), a key
            given twice, a value that does not parse or is out of range, or fewer than two
            distinct values.
    """
    vary = {}
    for item in texts:
        key, separator, values = item.partition("=")
        key = key.strip().replace("-", "_")
        if not separator or not key:
            raise ConfigError(
                f"--vary: expected KEY=VALUE,VALUE,... such as activation=relu,tanh, but got "
                f"{item!r}."
            )
        _check_key(key)
        if key in vary:
            raise ConfigError(
                f"--vary: {key} is given twice. Put all its values in one --vary "
                f"{key}=a,b,c."
            )
        vary[key] = [parse_value(key, text.strip()) for text in values.split(",")
                     if text.strip()]
    return check_vary(vary)


def check_vary(vary: dict, base: TrainConfig | None = None) -> dict:
    """Check the factors of a comparison: known keys, ≥ 2 distinct values each, and every
    value valid in ``base`` (default: the default config). Returns ``vary`` with lists.

    Raises:
        ConfigError: naming the factor and, for an unknown one, the valid keys.
    """
    if not isinstance(vary, dict) or not vary:
        raise ConfigError(
            "compare: expected at least one factor to vary, e.g. vary={'activation': ['relu', "
            f"'tanh']}} (--vary activation=relu,tanh), but got {vary!r}."
        )
    base = base or TrainConfig()
    checked = {}
    for key, values in vary.items():
        _check_key(key)
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        distinct = list(dict.fromkeys(format_value(v) for v in values))
        if len(values) < 2 or len(distinct) < len(values):
            raise ConfigError(
                f"--vary {key}: expected two or more different values, but got "
                f"{', '.join(format_value(v) for v in values) or 'none'}. A comparison needs "
                f"something to compare; to fix one value for every run, use --{_flag(key)} "
                "instead."
            )
        for value in values:
            try:
                dataclasses.replace(base, **{key: value})
            except (ConfigError, TypeError) as error:
                raise ConfigError(f"--vary {key}={format_value(value)}: {error}") from None
        checked[key] = values
    return checked


def parse_value(key: str, text: str):
    """One value of the field ``key`` from its command-line text (checked later, with the
    whole config, by ``check_vary``)."""
    kind = _FIELDS[key].type
    optional = type(None) in get_args(kind)
    if optional:
        if text.lower() in ("none", "default"):
            return None
        kind = next(option for option in get_args(kind) if option is not type(None))
    try:
        if kind is bool:
            if text.lower() not in _TRUE + _FALSE:
                raise ValueError(text)
            return text.lower() in _TRUE
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if get_origin(kind) is list:
            return [int(part) for part in text.split("-")]
    except ValueError:
        raise ConfigError(f"--vary {key}: expected {_expected(kind, optional)}, but got "
                          f"{text!r}.") from None
    return text  # names: activation, optimizer, model, ... (checked against their choices)


def format_value(value) -> str:
    """A factor value as it reads in folder names, tables and on the command line."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "-".join(str(v) for v in value)
    return str(value)


def variant_label(factors: dict) -> str:
    """``{"activation": "relu"}`` → ``"relu"``; several factors: ``"activation=relu, lr=0.01"``.

    Example:
        >>> variant_label({"activation": "relu"}), variant_label({"lr": 0.1, "batch_size": 32})
        ('relu', 'lr=0.1, batch_size=32')
    """
    if len(factors) == 1:
        value = format_value(next(iter(factors.values())))
        key = next(iter(factors))
        return value if key in ("activation", "optimizer", "init", "schedule", "model") \
            else f"{key}={value}"
    return ", ".join(f"{key}={format_value(value)}" for key, value in factors.items())


def _check_key(key: str) -> None:
    if key not in FACTORS:
        hint = " (vary the seed with --seeds)" if key == "seed" else ""
        raise ConfigError(
            f"--vary: unknown factor {key!r}{hint}. Valid keys: {', '.join(FACTORS)}."
        )


def _flag(key: str) -> str:
    return key.replace("_", "-")


def _expected(kind, optional: bool) -> str:
    if kind is bool:
        expected = "true or false"
    elif kind is int:
        expected = "an integer"
    elif kind is float:
        expected = "a number such as 1e-3"
    else:
        expected = "widths joined by dashes, such as 256-128"
    return expected + (" (or none)" if optional else "")
