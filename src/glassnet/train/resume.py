"""Everything a run needs to continue exactly: saved into and restored from one checkpoint.

A training checkpoint holds, as tensors: the model's ``state_dict`` under its own (PyTorch)
names and the optimizer's arrays under ``optimizer/<param index>/<slot>``; as JSON
metadata: the epoch and step, the history so far, the optimizer's settings and scalar
slots, the data loader's position, and the state of every random generator involved (the
default one, the loader's, and any a module holds, e.g. Dropout's). Restoring all of it
makes a resumed run produce bit-for-bit the parameters of an uninterrupted one.
"""

import numpy as np

from glassnet import __version__
from glassnet.errors import CheckpointError
from glassnet.random import default_generator
from glassnet.train.checkpoint import load_checkpoint

OPTIMIZER_PREFIX = "optimizer/"
KIND = "training"


def training_checkpoint(state, extra_metadata: dict | None = None) -> tuple[dict, dict]:
    """The tensors and metadata describing the run in ``state`` at this moment."""
    trainer = state.trainer
    tensors = dict(trainer.model.state_dict())
    optimizer_state = trainer.optimizer.state_dict()
    slots = {}
    for index, values in optimizer_state["state"].items():
        slots[str(index)] = {}
        for name, value in values.items():
            if isinstance(value, np.ndarray):
                tensors[f"{OPTIMIZER_PREFIX}{index}/{name}"] = value
            else:
                slots[str(index)][name] = value
    metadata = {
        "kind": KIND,
        "glassnet_version": __version__,
        "epoch": state.epoch,
        "step": state.step,
        "initial_loss": state.initial_loss,
        "history": state.history,
        "optimizer": {**optimizer_state, "state": slots},
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
    if metadata.get("kind") != KIND:
        raise CheckpointError(
            f"resume: {path} is a {metadata.get('kind', 'unknown')!r} file, not a training "
            "checkpoint. Resume from a run's last.safetensors."
        )
    trainer = state.trainer
    model_tensors = {k: v for k, v in tensors.items() if not k.startswith(OPTIMIZER_PREFIX)}
    try:
        trainer.model.load_state_dict(model_tensors)
        trainer.optimizer.load_state_dict(_optimizer_state(metadata["optimizer"], tensors))
    except ValueError as error:
        raise CheckpointError(
            f"resume: {path} does not fit this model/optimizer: {error}"
        ) from None
    trainer.loader.load_state_dict(metadata["loader"])
    _restore_generators(trainer.model, metadata["generators"])
    state.epoch, state.step = metadata["epoch"], metadata["step"]
    state.initial_loss = metadata["initial_loss"]
    state.history = list(metadata["history"])
    state.metrics = state.history[-1] if state.history else {}


def model_metadata(model) -> dict:
    """The architecture record of a named model (``glassnet.models``), if it has one."""
    architecture = getattr(model, "architecture", None)
    return {"architecture": architecture.to_json()} if architecture is not None else {}


def _optimizer_state(saved: dict, tensors: dict) -> dict:
    state = {index: dict(values) for index, values in saved["state"].items()}
    for key, array in tensors.items():
        if key.startswith(OPTIMIZER_PREFIX):
            index, name = key[len(OPTIMIZER_PREFIX) :].split("/", 1)
            state.setdefault(index, {})[name] = array
    return {**saved, "state": {int(index): values for index, values in state.items()}}


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
