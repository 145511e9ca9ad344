"""How a named model remembers how it was built, so ``glassnet.load`` can rebuild it.

Each builder in ``glassnet.models`` is registered under a name with ``@architecture``.
Calling it records the name and the call's arguments (JSON-friendly values) on the model
as ``model.architecture``; ``build(name, **options)`` calls the builder from that record.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from glassnet.errors import ConfigError

ARCHITECTURES: dict[str, Callable] = {}


@dataclass(frozen=True)
class Architecture:
    """A named architecture and the options its builder was called with."""

    name: str
    options: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"name": self.name, "options": self.options}

    @classmethod
    def from_json(cls, record: dict) -> "Architecture":
        return cls(record["name"], dict(record.get("options", {})))


def architecture(name: str) -> Callable:
    """Register a model builder under ``name`` and record each call's options on the model."""

    def register(builder: Callable) -> Callable:
        signature = inspect.signature(builder)

        @functools.wraps(builder)
        def build_and_record(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            model = builder(*args, **kwargs)
            options = {k: _plain(v) for k, v in bound.arguments.items() if k != "generator"}
            model.architecture = Architecture(name, options)
            return model

        ARCHITECTURES[name] = build_and_record
        return build_and_record

    return register


def build(name: str, *, generator=None, **options):
    """Build the architecture registered as ``name`` with ``options``.

    Example:
        >>> from glassnet import models
        >>> model = models.build("mlp", in_features=4, hidden=[8], out_features=3)
        >>> model.architecture.name, model.architecture.options["hidden"]
        ('mlp', [8])
    """
    if name not in ARCHITECTURES:
        raise ConfigError(
            f"model: expected one of {sorted(ARCHITECTURES)}, but got {name!r}."
        )
    try:
        return ARCHITECTURES[name](generator=generator, **options)
    except TypeError as error:
        raise ConfigError(f"model {name!r}: {error}") from None


def _plain(value):
    """Tuples become lists, so options compare equal after a JSON round trip."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value
