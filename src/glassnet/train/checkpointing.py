"""``Checkpoint``: save the whole training state after every epoch (last and best)."""

from pathlib import Path

from glassnet.atomic_write import sweep_stale_temporaries
from glassnet.train.callbacks import check_monitor, metric_improved, read_metric
from glassnet.train.checkpoint import save_checkpoint
from glassnet.train.resume import training_checkpoint


class Checkpoint:
    """After each epoch write ``folder``/last.safetensors, and best.safetensors whenever
    ``monitor`` improves. Both are full training checkpoints (``fit(resume=...)`` continues
    from either; ``glassnet.load`` rebuilds the model from either). A run stopped by a
    signal saves its exact mid-epoch position as last.safetensors; a failed (diverged) run
    leaves diverged.safetensors to inspect (load it with ``on_nonfinite="warn"``).

    Args:
        folder: the run folder.
        monitor: the metric that decides "best", e.g. "val_accuracy" or "val_loss".
        mode: "max" or "min" for ``monitor``.
        metadata: extra JSON-friendly metadata stored in every checkpoint (the run's config,
            the preprocessing state, ...).
    """

    def __init__(self, folder, *, monitor: str = "val_accuracy", mode: str = "max",
                 metadata: dict | None = None):
        check_monitor(monitor, mode, "Checkpoint")
        self.folder = Path(folder)
        self.monitor, self.mode = monitor, mode
        self.metadata = metadata or {}
        self.best = None
        self.last_path = self.folder / "last.safetensors"
        self.best_path = self.folder / "best.safetensors"

    def on_train_begin(self, state) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        sweep_stale_temporaries(self.folder)
        for record in state.history:  # resumed: the best so far comes from the history
            if self.monitor in record and metric_improved(record[self.monitor], self.best,
                                                            self.mode, 0.0):
                self.best = record[self.monitor]

    def on_epoch_end(self, state) -> None:
        tensors, metadata = training_checkpoint(state, self.metadata)
        save_checkpoint(self.last_path, tensors, metadata)
        value = read_metric(state, self.monitor, "Checkpoint")
        if metric_improved(value, self.best, self.mode, 0.0):
            self.best = value
            save_checkpoint(self.best_path, tensors, metadata)

    def on_train_end(self, state) -> None:
        if state.signal is not None:  # interrupted mid-epoch: keep the exact position
            save_checkpoint(self.last_path, *training_checkpoint(state, self.metadata))
        elif state.failed:  # the state that went wrong, for a look (NaNs included)
            save_checkpoint(self.folder / "diverged.safetensors",
                            *training_checkpoint(state, self.metadata))
