"""What a person watching a comparison sees: one bar over all the epochs of all the runs
(on a terminal), and one line per finished run (everywhere), e.g.

    [3/12] activation=relu,seed=0: complete, test accuracy 0.8480, 41.2 s
"""

import sys


class Board:
    """Progress of ``runs`` runs totalling ``epochs`` epochs.

    Args:
        runs: runs in the comparison.
        epochs: epochs of all the runs together.
        stream: where to write (default: standard output).
        bar: a tqdm bar; None: only when ``stream`` is a terminal.
    """

    def __init__(self, runs: int, epochs: int, *, stream=None, bar: bool | None = None):
        self.stream = stream or sys.stdout
        self.runs, self.finished = runs, 0
        self.epochs_of_finished = 0  # epochs of runs that ended (counted in full)
        self._bar = None
        if self.stream.isatty() if bar is None else bar:
            from tqdm import tqdm

            self._bar = tqdm(total=epochs, desc="compare", unit="epoch", file=self.stream,
                             dynamic_ncols=True)

    def line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def poll(self, epochs_of_running: int) -> None:
        """Show ``epochs_of_running`` epochs done by the runs in progress."""
        if self._bar is not None:
            self._bar.n = self.epochs_of_finished + epochs_of_running
            self._bar.refresh()

    def run_finished(self, name: str, record, *, kept: bool = False) -> None:
        """Count ``record``'s run as ended and print its line."""
        self.finished += 1
        self.epochs_of_finished += record.config.get("epochs", 0)
        summary = record.summary()
        parts = [record.status.replace("_", " ")]
        if summary["test_accuracy"] is not None:
            parts.append(f"test accuracy {summary['test_accuracy']:.4f}")
        if record.status == "diverged" and summary["last_finite_loss"] is not None:
            parts.append(f"last finite loss {summary['last_finite_loss']:.4g} at step "
                         f"{summary['last_step']}")
        if record.error:
            parts.append(record.error)
        if summary["seconds"] is not None:
            parts.append(f"{summary['seconds']:.1f} s")
        prefix = "kept " if kept else ""
        self.line(f"[{self.finished}/{self.runs}] {prefix}{name}: {', '.join(parts)}")
        self.poll(0)

    def epoch_ticker(self):
        """A Trainer callback that moves the bar at each epoch of a run in this process."""
        return _EpochTicker(self)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class _EpochTicker:
    def __init__(self, board: Board):
        self.board = board

    def on_epoch_end(self, state) -> None:
        self.board.poll(state.epoch)
