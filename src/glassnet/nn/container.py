"""Containers: ``Sequential`` (a chain of modules) and ``ModuleList`` (a list of modules).

Both name their items "0", "1", ... as PyTorch does, so ``Sequential(Linear(2, 3))`` has
the parameter ``0.weight`` in both libraries.
"""

from collections.abc import Iterable, Iterator

from glassnet.errors import ConfigError
from glassnet.nn.activation import ReLU
from glassnet.nn.module import Module
from glassnet.nn.pooling import MaxPool2d


class ModuleList(Module):
    """A list of modules whose parameters the enclosing module finds.

    A plain Python list attribute works too (the walk looks inside lists); ModuleList
    adds PyTorch's name and ``repr``.

    Example:
        >>> import glassnet.nn as nn
        >>> blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(blocks), [name for name, _ in blocks.named_parameters()][:2]
        (3, ['0.weight', '0.bias'])
    """

    def __init__(self, modules: Iterable[Module] = ()):
        super().__init__()
        self._items = []
        self.extend(modules)

    def _named_members(self):
        for i, module in enumerate(self._items):
            yield str(i), module

    def append(self, module: Module) -> "ModuleList":
        if not isinstance(module, Module):
            raise ConfigError(
                f"{type(self).__name__}: expected a Module, but got {type(module).__name__}. "
                "Wrap plain functions in a Module (e.g. nn.ReLU() instead of gn.relu)."
            )
        self._items.append(module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._items)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            "ModuleList has no forward(); iterate over it in your module's forward, or use "
            "Sequential to chain the modules."
        )


class Sequential(ModuleList):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Indexable (``model[0]``, ``model[1:]`` gives a Sequential), iterable and sized.

    A ``ReLU`` directly followed by a ``MaxPool2d`` runs as one op that pools first
    (``MaxPool2d.forward_after_relu``; max commutes with ReLU, so the ReLU runs on the smaller
    pooled output), with bit-identical results, unless either module has hooks.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        >>> model(gn.zeros(2, 4)).shape
        (2, 3)
        >>> model
        Sequential(
          (0): Linear(in_features=4, out_features=8, bias=True)
          (1): ReLU()
          (2): Linear(in_features=8, out_features=3, bias=True)
        )
    """

    def __init__(self, *modules: Module):
        super().__init__(modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self._items[index])
        return self._items[index]

    def forward(self, x):
        modules, i = self._items, 0
        while i < len(modules):
            if i + 1 < len(modules) and _relu_then_max_pool(modules[i], modules[i + 1]):
                x = modules[i + 1].forward_after_relu(x)
                i += 2
            else:
                x = modules[i](x)
                i += 1
        return x


def _relu_then_max_pool(first: Module, second: Module) -> bool:
    """A plain ReLU directly followed by a plain MaxPool2d, neither with hooks: the pair
    runs as one op that pools first (see ``MaxPool2d.forward_after_relu``). Hooks must see
    every module's own output (the training doctor's telemetry watches the ReLU's), so
    a hooked pair runs as two modules."""
    return (type(first) is ReLU and type(second) is MaxPool2d
            and not any(m._forward_pre_hooks or m._forward_hooks for m in (first, second)))
