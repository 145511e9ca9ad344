"""``Module``: the base class of every layer and model.

A Module holds Parameters, Buffers and other Modules as plain attributes. Nothing is
registered behind the scenes: ``parameters()``, ``state_dict()`` and friends walk the
instance's attributes in definition order (``vars(self)``), looking inside lists, tuples
and dicts, so ``self.layers = [Linear(2, 3), Linear(3, 1)]`` is found as ``layers.0`` and
``layers.1``. Names and array layouts follow PyTorch, so a ``state_dict`` travels between
the two libraries.

A subclass calls ``super().__init__()`` first, creates its parameters in ``__init__`` and
writes ``forward``; calling the module runs the forward pre-hooks, ``forward`` and then the
forward hooks.
"""

from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np

from glassnet.errors import StateDictError
from glassnet.nn.parameter import Buffer, Parameter
from glassnet.tensor import Tensor

# Attributes of the base class itself, never walked.
_INTERNAL = frozenset({"training", "_forward_pre_hooks", "_forward_hooks", "_next_hook_id"})


class LoadResult(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list
    unexpected_keys: list


class HookHandle:
    """Returned by ``register_forward_hook``; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: dict, key: int):
        self._hooks = hooks
        self._key = key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


class Module:
    """Base class of layers and models.

    Example:
        >>> import glassnet as gn
        >>> import glassnet.nn as nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(4, 8)
        ...         self.out = nn.Linear(8, 2)
        ...
        ...     def forward(self, x):
        ...         return self.out(gn.relu(self.hidden(x)))
        >>> model = TwoLayer()
        >>> [name for name, _ in model.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> model(gn.zeros(5, 4)).shape
        (5, 2)
    """

    def __init__(self):
        self.training = True
        self._forward_pre_hooks = {}
        self._forward_hooks = {}
        self._next_hook_id = 0

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks:
            for hook in list(self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        if not self._forward_hooks:
            return output
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook: Callable) -> HookHandle:
        """Call ``hook(module, inputs)`` before every forward pass of this module.

        ``inputs`` is the tuple of positional arguments. If the hook returns something
        other than None, that replaces them (a tuple, or a single value for one argument).
        Reparametrizations use it to recompute a weight from other tensors before each
        forward: ``nn.prune`` (weight = weight_orig · weight_mask) and ``nn.weight_norm``
        (weight = g · v/‖v‖).

        Returns:
            A handle whose ``remove()`` unregisters the hook.
        """
        if not hasattr(self, "_forward_pre_hooks"):
            raise _missing_init(self)
        key = self._next_hook_id
        self._next_hook_id += 1
        self._forward_pre_hooks[key] = hook
        return HookHandle(self._forward_pre_hooks, key)

    def register_forward_hook(self, hook: Callable) -> HookHandle:
        """Call ``hook(module, inputs, output)`` after every forward pass of this module.

        ``inputs`` is the tuple of positional arguments. If the hook returns something
        other than None, that replaces the output. Diagnostics use hooks to observe
        activations without changing the model.

        Returns:
            A handle whose ``remove()`` unregisters the hook.
        """
        if not hasattr(self, "_forward_hooks"):
            raise _missing_init(self)
        key = self._next_hook_id
        self._next_hook_id += 1
        self._forward_hooks[key] = hook
        return HookHandle(self._forward_hooks, key)

    # ----- walking the attributes ------------------------------------------------------------

    def _named_members(self) -> Iterator[tuple]:
        """(name, value) for every Parameter, Buffer and Module held directly, in definition
        order. Containers override this to name their items "0", "1", ..."""
        if not hasattr(self, "_forward_hooks"):
            raise _missing_init(self)
        for name, value in vars(self).items():
            if name not in _INTERNAL:
                yield from _walk(name, value)

    def named_children(self) -> Iterator[tuple]:
        """(name, module) for each direct submodule, each module once."""
        seen = set()
        for name, value in self._named_members():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple]:
        """(name, module) for this module (name ``prefix``) and all submodules, depth first."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (_join(name, child_name), child) for child_name, child in module.named_children()
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def _named_tensors(self, kind: type, remove_duplicates: bool = True) -> Iterator[tuple]:
        """(qualified name, tensor) of ``kind``: each module's own first, then its children's."""
        seen = set()
        for module_name, module in self.named_modules():
            for name, value in module._named_members():
                if isinstance(value, kind):
                    if remove_duplicates and id(value) in seen:
                        continue
                    seen.add(id(value))
                    yield _join(module_name, name), value

    def named_parameters(self) -> Iterator[tuple]:
        """(name, Parameter) pairs with PyTorch's dotted names, e.g. ``"0.weight"``."""
        return self._named_tensors(Parameter)

    def parameters(self) -> Iterator[Parameter]:
        """Every Parameter of this module and its submodules, each once, in definition order."""
        for _, parameter in self.named_parameters():
            yield parameter

    def named_buffers(self) -> Iterator[tuple]:
        return self._named_tensors(Buffer)

    def buffers(self) -> Iterator[Buffer]:
        for _, buffer in self.named_buffers():
            yield buffer

    # ----- modes, gradients, dtype ---------------------------------------------------------

    def train(self, mode: bool = True) -> "Module":
        """Set training mode (dropout active, batch norm uses batch statistics) everywhere."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> "Module":
        """Set evaluation mode: dropout is the identity, batch norm uses running statistics."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget the gradients of every parameter (``.grad = None``)."""
        for parameter in self.parameters():
            parameter.grad = None

    def to(self, dtype) -> "Module":
        """Convert floating parameters and buffers to ``dtype`` in place, keeping the same
        Parameter objects (optimizers built before still see them). Gradients are dropped.

        ``model.to(np.float64)`` (or ``.double()``) prepares a model for ``gradcheck``.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(
                f"Module.to: expected a floating dtype such as np.float64, but got {dtype}."
            )
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.data.dtype.kind == "f":
                tensor.data = tensor.data.astype(dtype)
                tensor.grad = None
        return self

    def double(self) -> "Module":
        return self.to(np.float64)

    def float(self) -> "Module":
        return self.to(np.float32)

    def apply(self, fn: Callable) -> "Module":
        """Call ``fn(module)`` on every submodule and on this module (children first)."""
        for module in reversed(list(self.modules())):
            fn(module)
        return self

    # ----- state_dict ----------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Every parameter and buffer as a copy of its array, under PyTorch's names.

        The order is PyTorch's: a module's own parameters, then its own buffers, then each
        submodule's. The arrays are copies, so the dict is a snapshot that later training
        does not change.
        """
        state = {}
        for module_name, module in self.named_modules():
            members = list(module._named_members())
            for kind in (Parameter, Buffer):
                for name, value in members:
                    if isinstance(value, kind):
                        state[_join(module_name, name)] = value.data.copy()
        return state

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> LoadResult:
        """Copy arrays from ``state_dict`` into the parameters and buffers, in place.

        Values may be ndarrays, Tensors or anything ``np.asarray`` accepts (a detached
        PyTorch CPU tensor, ``t.detach().numpy()``); they are cast to each target's dtype.

        Args:
            state_dict: name → array, as returned by ``state_dict()`` (here or in PyTorch).
            strict: when True (default), a missing or unexpected key is an error; when
                False they are skipped and listed in the result.

        Returns:
            ``LoadResult(missing_keys, unexpected_keys)``.

        Raises:
            StateDictError: listing the missing keys, the unexpected keys and the keys whose
                shapes differ (a shape mismatch is an error even when ``strict=False``).
                Nothing is loaded when it is raised.
        """
        targets = {}
        for module_name, module in self.named_modules():
            for name, value in module._named_members():
                if isinstance(value, (Parameter, Buffer)):
                    targets[_join(module_name, name)] = value
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        values, mismatched = {}, []
        for key, target in targets.items():
            if key in state_dict:
                value = _to_numpy(state_dict[key])
                if value.shape != target.data.shape:
                    mismatched.append(f"{key}: expected {target.data.shape}, got {value.shape}")
                values[key] = value
        if mismatched or (strict and (missing or unexpected)):
            raise StateDictError(
                _load_error(type(self).__name__, missing, unexpected, mismatched, strict)
            )
        for key, value in values.items():
            targets[key].data[...] = value
        return LoadResult(missing, unexpected)

    # ----- repr -----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The configuration shown inside the parentheses of ``repr`` (override in layers)."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self.named_children():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}({extra}" if extra else f"{type(self).__name__}("
        return head + "\n" + "\n".join(lines) + "\n)"


def _walk(name: str, value) -> Iterator[tuple]:
    """Yield (name, value) for Parameters, Buffers and Modules in ``value``, looking inside
    lists, tuples and dicts (dotted names: ``blocks.0``, ``heads.left``)."""
    if isinstance(value, (Parameter, Buffer, Module)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _walk(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(f"{name}.{key}", item)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a PyTorch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _load_error(model: str, missing, unexpected, mismatched, strict: bool) -> str:
    parts = []
    if strict and missing:
        parts.append(f"missing keys {missing}")
    if strict and unexpected:
        parts.append(f"unexpected keys {unexpected}")
    if mismatched:
        parts.append(f"shape mismatches [{'; '.join(mismatched)}]")
    return (
        f"load_state_dict: expected the keys and shapes of this {model}, but got "
        + ", ".join(parts)
        + ". Check that the model was built with the same layer sizes; pass strict=False to "
        "skip missing and unexpected keys."
    )


def _missing_init(module) -> AttributeError:
    return AttributeError(
        f"{type(module).__name__}: Module.__init__() was not called. Call "
        "super().__init__() at the start of your __init__."
    )
