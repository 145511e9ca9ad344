"""``SignalLatch``: remember SIGINT/SIGTERM so that all processes stop at the same step.

In one process, ``StopOnSignal`` stops after the current batch. Across processes that is
not enough: the signal reaches each process at a slightly different moment, and a process
that stops one step before the others leaves them waiting forever in the next all-reduce.
So the latch only records the signal; the training loop shares what each process has seen
in its next collective message, and every process stops after that same step.

The handler also writes one line to standard error at once (``os.write``: safe inside a
handler). When one process of an MPI job dies, ``mpiexec`` ends the job by sending SIGTERM
to the others and SIGKILL a second later; this line is what they leave behind.
"""

import os
import signal

from glassnet.train import interrupt as train_interrupt


class SignalLatch(train_interrupt.SignalLatch):
    """Record SIGINT and SIGTERM (while installed) instead of acting on them, and say so on
    standard error at once.

    Args:
        who: how this process names itself in the line it prints, e.g. "rank 1 of 4".

    Example:
        >>> latch = SignalLatch("rank 0 of 1")
        >>> latch.install()
        >>> latch.received is None
        True
        >>> latch.restore()
    """

    def __init__(self, who: str):
        super().__init__()
        self.who = who

    def announce(self, signum: int) -> None:
        name = signal.Signals(signum).name
        os.write(2, (
            f"glassnet ({self.who}): {name} received; all processes stop after the same step "
            "and rank 0 saves the exact position. If a process died, mpiexec ends the whole "
            "job now: rerun with --resume auto to continue from the last checkpoint.\n"
        ).encode())


def flags(signum: int | None) -> tuple[float, float]:
    """(SIGTERM seen, SIGINT seen) as 0/1, to be summed over processes by an all-reduce."""
    return float(signum == signal.SIGTERM), float(signum == signal.SIGINT)


def agreed(sigterm_count: float, sigint_count: float) -> int | None:
    """The signal all processes act on, from the summed flags: SIGTERM wins over SIGINT.

    Example:
        >>> agreed(0.0, 2.0) == signal.SIGINT, agreed(1.0, 1.0) == signal.SIGTERM
        (True, True)
    """
    if sigterm_count > 0:
        return signal.SIGTERM
    return signal.SIGINT if sigint_count > 0 else None
