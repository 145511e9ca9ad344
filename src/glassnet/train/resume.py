"""Everything a run needs to continue exactly: saved into and restored from one checkpoint.

A training checkpoint holds, as tensors: the model's ``state_dict`` under its own (PyTorch)
names, and every other array under a path with a slash (``optimizer/<param>/<slot>``,
``callbacks/<name>/...``); as JSON metadata: the epoch and step, the history so far, the
optimizer's settings and scalar slots, the data loader's position, the state of every
random generator involved (the default one, the loader's, and any a module holds, e.g.
Dropout's) and the state of each callback that has one (early stopping's patience, a
plateau schedule's rate). Restoring all of it makes a resumed run produce bit-for-bit the
parameters of an uninterrupted one.
"""

import numpy as np

from glassnet import __version__
from glassnet.errors import CheckpointError
from glassnet.random import default_generator
from glassnet.train.checkpoint import load_checkpoint

KIND = "training"
TENSOR = "tensor"  # {"tensor": path} in the JSON stands for the array stored under that path


def training_checkpoint(state, extra_metadata: dict | None = None) -> tuple[dict, dict]:
    """The tensors and metadata describing the run in ``state`` at this moment."""
    trainer = state.trainer
    tensors = dict(trainer.model.state_dict())
    optimizer_state = trainer.optimizer.state_dict()
    optimizer_state["state"] = split_arrays(optimizer_state["state"], "optimizer", tensors)
    callbacks = {key: callback.state_dict() for key, callback in _stateful(trainer.callbacks)}
    metadata = {
        "kind": KIND,
        "glassnet_version": __version__,
        "epoch": state.epoch,
        "step": state.step,
        "initial_loss": state.initial_loss,
        "history": state.history,
        "optimizer": optimizer_state,
        "callbacks": split_arrays(callbacks, "callbacks", tensors),
        "loader": trainer.loader.state_dict(),
        "generators": _generator_states(trainer.model),
        **model_metadata(trainer.model),
        "metadata": extra_metadata or {},
    }
    return tensors, metadata


def restore_training(path, state) -> None:
    """Load the checkpoint at ``path`` into the trainer of ``state`` and into ``state``.

    Raises:
        CheckpointError: the file is not a training checkpoint, or it does not fit the
            model or optimizer (the message lists what differs).
    """
    tensors, metadata = load_checkpoint(path)
    restore_training_state(tensors, metadata, state, source=path)


def restore_training_state(tensors: dict, metadata: dict, state, *, source="the state") -> None:
    """Load a training state given as ``training_checkpoint``'s (tensors, metadata) into
    the trainer of ``state`` and into ``state`` (e.g. one received from another process).

    Raises:
        CheckpointError: not a training state, or it does not fit the model or optimizer
            (``source`` names it in the message).
    """
    if metadata.get("kind") != KIND:
        raise CheckpointError(
            f"resume: {source} is a {metadata.get('kind', 'unknown')!r} file, not a training "
            "checkpoint. Resume from a run's last.safetensors."
        )
    trainer = state.trainer
    try:
        trainer.model.load_state_dict(model_tensors(tensors))
        trainer.optimizer.load_state_dict(join_arrays(metadata["optimizer"], tensors))
    except ValueError as error:
        raise CheckpointError(
            f"resume: {source} does not fit this model/optimizer: {error}"
        ) from None
    except (KeyError, TypeError) as error:  # metadata edited by hand, or by another program
        raise CheckpointError(
            f"resume: {source} records a training state glassnet cannot restore (missing or "
            f"malformed {error}). Resume from another checkpoint."
        ) from None
    try:
        trainer.loader.load_state_dict(metadata["loader"])
        _restore_generators(trainer.model, metadata["generators"])
        saved_callbacks = join_arrays(metadata["callbacks"], tensors)
        for key, callback in _stateful(trainer.callbacks):
            if key in saved_callbacks:
                callback.load_state_dict(saved_callbacks[key])
        state.epoch, state.step = metadata["epoch"], metadata["step"]
        state.initial_loss = metadata["initial_loss"]
        state.history = list(metadata["history"])
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(
            f"resume: {source} records a training state glassnet cannot restore (missing or "
            f"malformed {error}). Resume from another checkpoint."
        ) from None
    state.metrics = state.history[-1] if state.history else {}


def model_metadata(model) -> dict:
    """The architecture record of a named model (``glassnet.models``), if it has one."""
    architecture = getattr(model, "architecture", None)
    return {"architecture": architecture.to_json()} if architecture is not None else {}


def model_tensors(tensors: dict) -> dict:
    """The model's own entries of a checkpoint's tensors (state_dict names have no slash)."""
    return {key: value for key, value in tensors.items() if "/" not in key}


def split_arrays(value, path: str, tensors: dict):
    """A JSON-friendly copy of ``value`` (nested dicts): each ndarray in it moves to
    ``tensors[path/...]`` and is replaced by ``{"tensor": path/...}``."""
    if isinstance(value, np.ndarray):
        tensors[path] = value
        return {TENSOR: path}
    if isinstance(value, dict):
        return {str(key): split_arrays(item, f"{path}/{key}", tensors)
                for key, item in value.items()}
    return value


def join_arrays(value, tensors: dict):
    """Undo ``split_arrays``: put the arrays back where their markers stand."""
    if isinstance(value, dict):
        if set(value) == {TENSOR}:
            return tensors[value[TENSOR]]
        return {key: join_arrays(item, tensors) for key, item in value.items()}
    return value


def _stateful(callbacks) -> list:
    """(key, callback) for callbacks with a state to save; the key is the class name, with
    "#2", "#3", ... for further callbacks of the same class."""
    keyed, seen = [], {}
    for callback in callbacks:
        if hasattr(callback, "state_dict") and hasattr(callback, "load_state_dict"):
            name = type(callback).__name__
            seen[name] = seen.get(name, 0) + 1
            keyed.append((name if seen[name] == 1 else f"{name}#{seen[name]}", callback))
    return keyed


def _generator_states(model) -> dict:
    modules = {
        name: module.generator.bit_generator.state
        for name, module in model.named_modules()
        if isinstance(getattr(module, "generator", None), np.random.Generator)
    }
    return {"default": default_generator().bit_generator.state, "modules": modules}


def _restore_generators(model, states: dict) -> None:
    default_generator().bit_generator.state = states["default"]
    modules = dict(model.named_modules())
    for name, generator_state in states["modules"].items():
        modules[name].generator.bit_generator.state = generator_state
