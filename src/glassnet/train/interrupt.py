"""``StopOnSignal``: Ctrl-C (SIGINT) or SIGTERM ends a run cleanly after the current batch.

Raising inside a signal handler could interrupt an optimizer update halfway and leave the
weights half-changed. Instead the handler only records the signal (``SignalLatch``); the
loop finishes the batch, stops, and the Checkpoint callback saves the exact position
(mid-epoch included), so ``--resume auto`` continues as if nothing happened. A second signal
while stopping interrupts at once, as usual.
"""

import signal
import threading


class SignalLatch:
    """Record SIGINT and SIGTERM (while installed) instead of acting on them; a second one
    acts at once, through the handler that was there before.

    Example:
        >>> latch = SignalLatch()
        >>> latch.install()
        >>> latch.received is None
        True
        >>> latch.restore()
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.received = None
        self._previous = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # Python only delivers signals to the main thread
        self.received = None
        for signum in self.SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    def announce(self, signum: int) -> None:
        """Called inside the handler on the first signal; subclasses may say something
        (with ``os.write``, the only safe way there)."""

    def _handle(self, signum, frame) -> None:
        if self.received is not None:  # a second signal: the user really means it
            self.restore()
            signal.raise_signal(signum)
            return
        self.received = signum
        self.announce(signum)


class StopOnSignal:
    """Turn SIGINT/SIGTERM into ``state.stop(...)`` at the next batch boundary."""

    def __init__(self):
        self.latch = SignalLatch()

    def on_train_begin(self, state) -> None:
        self.latch.install()

    def on_batch_end(self, state) -> None:
        if self.latch.received is not None:
            name = signal.Signals(self.latch.received).name
            state.stop(f"interrupted by {name} at step {state.step}; the checkpoint holds "
                       "this exact position (resume with --resume auto)")
            state.signal = self.latch.received

    def on_train_end(self, state) -> None:
        self.latch.restore()
