"""DataLoader: mini-batches of NumPy arrays, reproducible and resumable mid-epoch.

Each ``for batch in loader`` is one epoch. With ``sampler="epoch"`` (the default) an epoch
visits every example exactly once — in a fresh random order when ``shuffle=True`` — which is
how mini-batch SGD is normally run. ``sampler="with_replacement"`` instead draws each batch's
examples independently with replacement (N draws per epoch), the textbook SGD assumption, for
comparison.

Reproducible: the order comes only from the loader's generator. Resumable: ``state_dict()``
records the epoch, how many batches of it were handed out, and the generator state at the
start of that epoch (JSON-serializable for the default PCG64 generator);
``load_state_dict()`` makes the next ``for`` loop re-create that epoch's order and continue
with the first batch not yet handed out — exactly the batches an uninterrupted run would see.
"""

import copy
from typing import Literal

import numpy as np

from glassnet.errors import ConfigError, ShapeError
from glassnet.random import resolve_generator

SAMPLERS = ("epoch", "with_replacement")


class DataLoader:
    """Iterate over equal-length arrays in mini-batches.

    Args:
        dataset: a tuple (or list) of arrays with the same first dimension, e.g. ``(X, y)``.
        batch_size: examples per batch.
        shuffle: visit the examples in a new random order each epoch (``sampler="epoch"``).
        drop_last: skip the last, smaller batch when N is not a multiple of ``batch_size``.
        sampler: ``"epoch"`` (each example once per epoch) or ``"with_replacement"`` (each
            batch drawn at random with replacement; always random, whatever ``shuffle`` says).
        generator: the ``np.random.Generator`` that orders the examples. It then belongs to
            the loader: ``load_state_dict`` rewinds it. When None, the loader gets its own
            generator seeded from glassnet's default one, so ``manual_seed`` fixes the order.
        augment: called as ``augment(inputs, epoch=..., batch=...)`` on the first array of
            each batch (e.g. ``glassnet.data.augment.Augment``); its randomness must depend
            only on its seed and the position, so that resuming gives the same batches.

    Yields:
        Tuples of arrays, one per array of ``dataset``, each with ``batch_size`` examples
        (fewer in the last batch unless ``drop_last``). Batches are copies.

    Raises:
        ShapeError: the arrays differ in length (or one is 0-d).
        ConfigError: ``batch_size`` is not a positive integer, or an unknown ``sampler``.

    Example:
        >>> import numpy as np
        >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
        >>> loader = DataLoader((X, y), batch_size=2)
        >>> len(loader), [yb.tolist() for _, yb in loader]
        (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(
        self,
        dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        sampler: Literal["epoch", "with_replacement"] = "epoch",
        generator: np.random.Generator | None = None,
        augment=None,
    ):
        self.arrays = _check_arrays(dataset)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise ConfigError(
                f"DataLoader: expected batch_size to be a positive integer, but got {batch_size!r}."
            )
        if batch_size < 1:
            raise ConfigError(
                f"DataLoader: expected batch_size ≥ 1, but got {batch_size}. Use e.g. 64."
            )
        if sampler not in SAMPLERS:
            raise ConfigError(
                f"DataLoader: expected sampler to be one of {list(SAMPLERS)}, but got {sampler!r}."
            )
        if generator is None:
            generator = np.random.default_rng(resolve_generator(None).integers(2**63))
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.sampler = sampler
        self.generator = resolve_generator(generator)
        self.augment = augment
        self.epoch = 0  # epochs completed (or abandoned) so far
        self._batches_done = 0  # batches of the current epoch already handed out
        self._epoch_start_state = None  # generator state when the current epoch began
        self._resume = False  # load_state_dict asked to continue a started epoch

    @property
    def num_examples(self) -> int:
        return len(self.arrays[0])

    def __len__(self) -> int:
        """Batches per epoch."""
        if self.drop_last:
            return self.num_examples // self.batch_size
        return -(-self.num_examples // self.batch_size)

    def __iter__(self):
        if self._resume:
            self.generator.bit_generator.state = self._epoch_start_state
            skip, self._resume = self._batches_done, False
        else:
            if self._epoch_start_state is not None:  # the previous epoch was abandoned
                self.epoch += 1
            self._epoch_start_state = copy.deepcopy(self.generator.bit_generator.state)
            self._batches_done = skip = 0
        order = self._order()
        for batch in range(skip, len(self)):
            indices = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            self._batches_done = batch + 1  # counted as soon as it is handed out
            inputs, *rest = (array[indices] for array in self.arrays)
            if self.augment is not None:
                inputs = self.augment(inputs, epoch=self.epoch, batch=batch)
            yield (inputs, *rest)
        self.epoch += 1
        self._batches_done = 0
        self._epoch_start_state = None

    def state_dict(self) -> dict:
        """The position in the data stream: enough to resume with identical batches."""
        started = self._epoch_start_state is not None
        state = self._epoch_start_state if started else self.generator.bit_generator.state
        return {
            "epoch": self.epoch,
            "batches_done": self._batches_done if started else 0,
            "generator_state": copy.deepcopy(state),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a position saved by :meth:`state_dict`; the next epoch continues from it.

        Raises:
            ConfigError: ``state`` lacks a key, or was saved from a different kind of
                generator.
        """
        missing = {"epoch", "batches_done", "generator_state"} - set(state)
        if missing:
            raise ConfigError(
                f"DataLoader.load_state_dict: expected keys epoch, batches_done and "
                f"generator_state, but {sorted(missing)} are missing. Pass the dict that "
                "state_dict() returned."
            )
        expected_kind = self.generator.bit_generator.state["bit_generator"]
        saved_kind = state["generator_state"].get("bit_generator")
        if saved_kind != expected_kind:
            raise ConfigError(
                f"DataLoader.load_state_dict: expected a {expected_kind} generator state, but "
                f"got {saved_kind!r}. Use the same kind of generator as the saved run."
            )
        self.epoch = int(state["epoch"])
        self._batches_done = int(state["batches_done"])
        self._epoch_start_state = copy.deepcopy(state["generator_state"])
        self._resume = self._batches_done > 0
        if not self._resume:
            self.generator.bit_generator.state = self._epoch_start_state
            self._epoch_start_state = None

    def _order(self) -> np.ndarray:
        n = self.num_examples
        if self.sampler == "with_replacement":
            return self.generator.integers(0, n, size=n) if n else np.arange(0)
        return self.generator.permutation(n) if self.shuffle else np.arange(n)

    def __repr__(self) -> str:
        return (
            f"DataLoader(num_examples={self.num_examples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, sampler={self.sampler!r})"
        )


def _check_arrays(dataset) -> tuple[np.ndarray, ...]:
    if isinstance(dataset, np.ndarray) or not isinstance(dataset, (tuple, list)) or not dataset:
        raise ConfigError(
            "DataLoader: expected dataset to be a tuple of arrays like (X, y), but got "
            f"{type(dataset).__name__}. Wrap a single array as (X,)."
        )
    arrays = tuple(np.asarray(array) for array in dataset)
    lengths = [array.shape[0] if array.ndim else None for array in arrays]
    if None in lengths or len(set(lengths)) != 1:
        shapes = ", ".join(str(array.shape) for array in arrays)
        raise ShapeError(
            f"DataLoader: expected arrays with the same number of examples, but got shapes "
            f"{shapes}. Check that X and y match."
        )
    return arrays
