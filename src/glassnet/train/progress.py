"""What a person watching the run sees: a progress bar over batches and one line per epoch.

On a terminal, a tqdm bar shows the batch, the loss and the throughput. Elsewhere (CI, a
log file) a bar would redraw one endless line of ``\\r``, so plain lines are printed a few
times per epoch instead. After each epoch, one line in the course's format:

    Finished epoch 3 / 10: cost 1.942257, train: 0.376, val 0.352, lr 3.0e-03
"""

import sys
import time


def epoch_line(metrics: dict, epochs: int) -> str:
    """The course's per-epoch log line for one epoch's metrics.

    Example:
        >>> epoch_line({"epoch": 3, "loss": 1.942257, "train_accuracy": 0.376,
        ...             "val_accuracy": 0.352, "lr": 3e-3}, 10)
        'Finished epoch 3 / 10: cost 1.942257, train: 0.376, val 0.352, lr 3.0e-03'
    """
    line = f"Finished epoch {metrics['epoch']} / {epochs}: cost {metrics['loss']:.6f}, "
    line += f"train: {metrics['train_accuracy']:.3f}"
    if "val_accuracy" in metrics:
        line += f", val {metrics['val_accuracy']:.3f}"
    return line + f", lr {metrics['lr']:.1e}"


class Progress:
    """Print the per-epoch line, and show progress within each epoch.

    Args:
        bar: True for a tqdm bar, False for plain lines, None to choose by whether
            ``stream`` is a terminal.
        stream: where to write (default: standard output).
        lines_per_epoch: how many plain progress lines an epoch gets (0 for none).
    """

    def __init__(self, *, bar: bool | None = None, stream=None, lines_per_epoch: int = 4):
        self.stream = stream or sys.stdout
        self.bar = self.stream.isatty() if bar is None else bar
        self.lines_per_epoch = lines_per_epoch
        self._tqdm = None
        self._epoch_started = 0.0
        self._examples = 0

    def on_epoch_begin(self, state) -> None:
        self._epoch_started, self._examples = time.perf_counter(), 0
        if self.bar:
            from tqdm import tqdm

            self._tqdm = tqdm(total=len(state.trainer.loader), initial=state.batch,
                              desc=f"epoch {state.epoch + 1}/{state.epochs}", unit="batch",
                              file=self.stream, leave=False, dynamic_ncols=True)

    def on_batch_end(self, state) -> None:
        self._examples += state.trainer.loader.batch_size
        rate = self._examples / max(time.perf_counter() - self._epoch_started, 1e-9)
        if self._tqdm is not None:
            self._tqdm.update(1)
            self._tqdm.set_postfix(loss=f"{state.batch_loss:.4f}", samples_s=f"{rate:.0f}")
            return
        batches = len(state.trainer.loader)
        every = max(batches // self.lines_per_epoch, 1) if self.lines_per_epoch else 0
        if every and state.batch % every == 0 and state.batch < batches:
            print(f"  epoch {state.epoch + 1}/{state.epochs}: batch {state.batch}/{batches}, "
                  f"loss {state.batch_loss:.4f}, {rate:.0f} samples/s", file=self.stream,
                  flush=True)

    def on_epoch_end(self, state) -> None:
        self._close_bar()
        print(epoch_line(state.metrics, state.epochs), file=self.stream, flush=True)

    def on_train_end(self, state) -> None:
        self._close_bar()
        if state.stop_reason:
            print(f"Stopped: {state.stop_reason}", file=self.stream, flush=True)

    def _close_bar(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
