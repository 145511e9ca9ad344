"""``Trainer``: the training loop, readable on one screen, with callbacks around it.

    for each epoch:
        for each batch:  forward → loss → zero_grad → backward → (callbacks) → step
        evaluate on the validation set, record the epoch, call the callbacks

Everything else — progress, history files, checkpoints, early stopping, the divergence
guard, clipping — is a callback (``glassnet.train.callbacks``) that reads the same state.
"""

import time
from collections.abc import Sequence

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.creation import as_tensor
from glassnet.data import DataLoader
from glassnet.errors import ConfigError
from glassnet.random import resolve_generator
from glassnet.train.resume import restore_training
from glassnet.train.state import TrainState

HOOKS = (
    "on_train_begin",
    "on_epoch_begin",
    "on_before_step",
    "on_batch_end",
    "on_epoch_end",
    "on_train_end",
)


class Trainer:
    """Train ``model`` with ``loss_fn`` and ``optimizer``, calling ``callbacks`` on the way.

    Args:
        model: a Module mapping a batch of inputs to outputs (class scores for classifiers).
        loss_fn: ``loss_fn(outputs, targets) -> scalar Tensor`` (e.g. nn.CrossEntropyLoss()).
        optimizer: a glassnet.optim optimizer over the model's parameters.
        callbacks: objects with any of the hooks ``on_train_begin``, ``on_epoch_begin``,
            ``on_before_step`` (after backward, before the update: clipping),
            ``on_batch_end``, ``on_epoch_end``, ``on_train_end``; each takes the TrainState.
        generator: the np.random.Generator that shuffles the training batches.
        augment: data augmentation for the training inputs (``glassnet.data.augment``),
            applied by the loader to every training batch; never to validation data.
        eval_batch_size: batch size for evaluate/predict (no graph is kept there).

    Example:
        >>> import glassnet as gn
        >>> from glassnet import models, nn, optim
        >>> from glassnet.data import blobs
        >>> X, y = blobs(50, 3, generator=np.random.default_rng(0))
        >>> model = models.mlp(2, [16], 3, generator=np.random.default_rng(0))
        >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01))
        >>> state = trainer.fit((X, y), epochs=20, batch_size=32)
        >>> state.history[-1]["train_accuracy"] > 0.9
        True
    """

    def __init__(self, model, loss_fn, optimizer, *, callbacks: Sequence = (), generator=None,
                 augment=None, eval_batch_size: int = 1000):
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not any(hasattr(callback, hook) for hook in HOOKS):
                raise ConfigError(
                    f"Trainer: expected callbacks with at least one of the hooks {HOOKS}, but "
                    f"{type(callback).__name__} has none."
                )
        self.generator = resolve_generator(generator)
        self.augment = augment
        self.eval_batch_size = eval_batch_size
        self.loader = None

    def fit(self, train, val=None, *, epochs: int, batch_size: int = 128,
            resume=None) -> TrainState:
        """Train for ``epochs`` epochs on ``train = (X, y)``, validating on ``val`` each epoch.

        Args:
            resume: a checkpoint written by ``callbacks.Checkpoint``; training continues from
                it with the same model, optimizer, data order and random state, so the
                result equals an uninterrupted run.

        Returns:
            The final TrainState (``history`` has one record per epoch).
        """
        if not isinstance(epochs, int) or epochs < 1:
            raise ConfigError(f"fit: expected epochs to be a positive integer, but got {epochs!r}.")
        _check_finite(train, "train")
        if val is not None:
            _check_finite(val, "val")
        self.loader = DataLoader(train, batch_size=batch_size, shuffle=True,
                                 generator=self.generator, augment=self.augment)
        state = TrainState(trainer=self, epochs=epochs)
        if resume is not None:
            restore_training(resume, state)
        self._notify("on_train_begin", state)
        while state.epoch < epochs and not state.should_stop:
            self._run_epoch(state, val)
        self._notify("on_train_end", state)
        return state

    def _run_epoch(self, state: TrainState, val) -> None:
        self.model.train()
        self._notify("on_epoch_begin", state)
        started, total_loss, correct, seen = time.perf_counter(), 0.0, 0, 0
        state.batch = self.loader.state_dict()["batches_done"]
        for inputs, targets in self.loader:
            outputs, loss = self._train_step(inputs, targets, state)
            state.step += 1
            state.batch += 1
            state.batch_loss = loss
            if state.initial_loss is None:
                state.initial_loss = loss
            total_loss += loss * len(targets)
            correct += _count_correct(outputs, targets)
            seen += len(targets)
            self._notify("on_batch_end", state)
            if state.should_stop:
                return
        state.epoch += 1
        state.metrics = {
            "epoch": state.epoch,
            "loss": total_loss / max(seen, 1),
            "train_accuracy": correct / max(seen, 1),
            **_prefixed("val_", self.evaluate(val) if val is not None else {}),
            "lr": self.optimizer.current_lr(),
            "seconds": time.perf_counter() - started,
        }
        state.history.append(state.metrics)
        self._notify("on_epoch_end", state)

    def _train_step(self, inputs, targets, state: TrainState):
        outputs = self.model(as_tensor(inputs))
        loss = self.loss_fn(outputs, targets)
        self.optimizer.zero_grad()
        loss.backward()
        state.batch_loss = value = float(loss.item())  # on_before_step sees this batch's loss
        self._notify("on_before_step", state)
        self.optimizer.step()
        return outputs.data, value

    def evaluate(self, data) -> dict:
        """Mean loss and accuracy on ``data = (X, y)`` in eval mode, without a graph."""
        inputs, targets = data
        total_loss, correct = 0.0, 0
        for start, outputs in self._batched_outputs(inputs):
            batch_targets = targets[start : start + len(outputs)]
            total_loss += float(self.loss_fn(outputs, batch_targets).item()) * len(outputs)
            correct += _count_correct(outputs.data, batch_targets)
        n = max(len(targets), 1)
        return {"loss": total_loss / n, "accuracy": correct / n}

    def predict(self, inputs) -> np.ndarray:
        """The model's outputs for ``inputs`` (e.g. class scores), in eval mode."""
        chunks = [outputs.data for _, outputs in self._batched_outputs(inputs)]
        return np.concatenate(chunks) if chunks else np.zeros((0,))

    def _batched_outputs(self, inputs):
        was_training = self.model.training
        self.model.eval()
        try:
            with no_grad():
                for start in range(0, len(inputs), self.eval_batch_size):
                    batch = inputs[start : start + self.eval_batch_size]
                    yield start, self.model(as_tensor(batch))
        finally:
            self.model.train(was_training)

    def _notify(self, hook: str, state: TrainState) -> None:
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(state)


def _check_finite(data, name: str) -> None:
    """NaN or Inf in the data would silently turn the model into NaN: refuse it up front."""
    for part, array in zip(("inputs", "targets"), data):
        array = np.asarray(array)
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            bad = int(array.size - np.isfinite(array).sum())
            raise ValueError(
                f"fit: the {name} {part} contain {bad} NaN or Inf values. Clean or impute "
                "them before training (e.g. np.nan_to_num, or drop those examples)."
            )


def _count_correct(outputs: np.ndarray, targets) -> int:
    """Correct predictions of a classifier (scores (N, C), integer targets (N,)); 0 otherwise."""
    targets = np.asarray(targets)
    if outputs.ndim != 2 or targets.ndim != 1 or targets.dtype.kind not in "iu":
        return 0
    return int((outputs.argmax(axis=1) == targets).sum())


def _prefixed(prefix: str, metrics: dict) -> dict:
    return {prefix + key: value for key, value in metrics.items()}
