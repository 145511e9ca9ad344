"""One run of a comparison: ``execute`` trains it in this process; ``main([RUN_FOLDER])``
does the same in a process of its own (what ``compare(jobs > 1)`` starts, with the BLAS
thread count set in its environment before NumPy loads).

The run's progress goes to RUN_FOLDER/train.log. It resumes from its last checkpoint if it
has one. A crash writes the traceback to RUN_FOLDER/error.txt (the run then reads as
"failed" and is retried when the comparison runs again). The exit status says how it
ended: 0 trained to the end, 3 diverged, 2 a glassnet error every run would share (its
message is in error.txt), 1 a crash, 128 + N stopped by signal N.
"""

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.errors import GlassnetError

ERROR_FILE = "error.txt"
EXIT_CRASH, EXIT_USER_ERROR, EXIT_DIVERGED = 1, 2, 3


@dataclass
class Outcome:
    exit_code: int
    signal: int | None = None


def execute(config, *, callbacks=(), raise_user_errors: bool = False) -> Outcome:
    """Train ``config`` into its run folder (resuming it if it has a checkpoint).

    Args:
        config: the run's TrainConfig (``out`` and ``name`` say where).
        callbacks: more Trainer callbacks.
        raise_user_errors: raise a GlassnetError (instead of writing error.txt and
            returning exit code 2), as the caller in this process wants.
    """
    from glassnet.train.run import run

    folder = Path(config.out) / config.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ERROR_FILE).unlink(missing_ok=True)
    with open(folder / "train.log", "a", encoding="utf-8") as log:
        try:
            result = run(config, resume="auto", stream=log, callbacks=callbacks)
        except GlassnetError as error:
            if raise_user_errors:
                raise
            atomic_write(folder / ERROR_FILE, f"{error}\n")
            return Outcome(EXIT_USER_ERROR)
        except Exception:  # one crashed run must not end the comparison
            trace = traceback.format_exc()
            log.write(trace)
            atomic_write(folder / ERROR_FILE, trace)
            return Outcome(EXIT_CRASH)
    if result.signal is not None:
        return Outcome(128 + result.signal, result.signal)
    return Outcome(EXIT_DIVERGED if result.failed else 0)


def main(argv=None) -> int:
    """Train the run whose config.json is in the folder given as the only argument."""
    import json

    from glassnet.train.config import TrainConfig

    (folder,) = sys.argv[1:] if argv is None else argv
    config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    return execute(TrainConfig(**config)).exit_code

