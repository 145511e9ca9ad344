"""Entry point of the ``glassnet`` command.

Each command lives in its own module of this package, exposing ``add_parser(subparsers)``
(which registers the command's arguments and sets ``run`` as its handler) and
``run(args) -> int`` (the exit code). Command modules are imported only when the parser is
built and keep heavy imports inside ``run`` so that ``glassnet --help`` stays fast.

Errors: the contract between ``main`` and every command
-------------------------------------------------------
A user never sees a traceback for their own mistake, and a command needs no try/except for
it: ``run`` raises, and ``main`` prints one line on standard error,
``glassnet <command>: <message>``, followed by the exception's notes (``add_note``), each on
a line of its own, and returns a non-zero exit code:

- ``glassnet.errors.GlassnetError``: its message as it is (say what happened and how to fix
  it). Exit 2 for ``ConfigError`` (a usage error, like argparse's), 1 for the others
  (DatasetError, CheckpointError, ImageError, ...).
- ``OSError`` (permission denied, disk full, file too large, not a folder, name too long,
  missing file, broken pipe, ...): the file, the system's reason and a fix. Exit 1.
- ``ImportError`` (an optional extra is missing; its message should name the extra). Exit 1.
- ``KeyboardInterrupt`` (Ctrl-C before a command takes over SIGINT, e.g. while data loads).
  Exit 130, the shell's convention.
- Anything else is a bug in glassnet: a short message asking for a report, and the full
  traceback saved to a file named in the message (in :func:`traceback_dir`). Exit 1.

Standard output whose reader goes away (``glassnet train ... | head -2``) never stops a
command: further output is dropped and the work goes on (a training run still writes its
checkpoints and test metrics). Python warnings print as ``glassnet <command>: warning: ...``.
"""

import argparse
import contextlib
import errno
import importlib
import os
import shlex
import sys
import time
import traceback
import warnings
from pathlib import Path

COMMAND_MODULES = (
    "glassnet.cli.demo",
    "glassnet.cli.train",
    "glassnet.cli.evaluate",
    "glassnet.cli.predict",
    "glassnet.cli.summary",
    "glassnet.cli.datasets",
    "glassnet.cli.classic",
    "glassnet.cli.search",
    "glassnet.cli.serve",
    "glassnet.cli.compare",
    "glassnet.cli.report",
    "glassnet.cli.doctor",
    "glassnet.cli.lr_find",
)

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT

# The fix for the OS errors a user meets, by errno.
OS_ERROR_HINTS = {
    errno.EACCES: "Check the permissions of the file or folder, or choose another one.",
    errno.EPERM: "The system does not allow this (permissions, or an immutable file): "
    "choose another file or folder.",
    errno.ENOSPC: "The disk is full: free some space, or write to another disk.",
    errno.EDQUOT: "The disk quota is exceeded: free some space, or write elsewhere.",
    errno.EFBIG: "The file is larger than the file system or the file-size limit "
    "(ulimit -f) allows: raise the limit, or write to another disk.",
    errno.EROFS: "The file system is read-only: choose a writable folder.",
    errno.ENOTDIR: "A part of the path is a file, not a folder: choose another path.",
    errno.EISDIR: "The path is a folder: give a file inside it.",
    errno.ENAMETOOLONG: "A file or folder name is too long (at most 255 bytes): choose a "
    "shorter name.",
    errno.ENOENT: "Check the path.",
    errno.EPIPE: "The program reading glassnet's output stopped.",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a readable deep-learning library on NumPy.",
        epilog="A failed command says why on one line; an unexpected failure (a bug) saves "
        "its traceback in ~/.local/state/glassnet/tracebacks/.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the chosen command, return its exit code.

    argparse exits with code 2 on invalid arguments, which is the convention for usage errors.
    Every exception a command raises becomes a message and an exit code (module docstring).
    """
    command = "glassnet"
    with warnings.catch_warnings():
        warnings.showwarning = lambda message, *_, **__: _warn(command, message)
        try:
            args = build_parser().parse_args(argv)
            command = f"glassnet {args.command}"
            stdout = PipeTolerantStream(sys.stdout)
            with contextlib.redirect_stdout(stdout):
                try:
                    return args.run(args)
                finally:
                    stdout.flush()  # here, so that a reader gone by now is met by the wrapper
        except Exception as error:
            return _report(command, error, sys.argv[1:] if argv is None else argv)
        except KeyboardInterrupt as error:
            _print_error(command, "interrupted (Ctrl-C).", error)
            return EXIT_INTERRUPTED


class PipeTolerantStream:
    """A text stream that drops its output, instead of raising ``BrokenPipeError``, once
    the program reading it has gone (``glassnet train ... | head -2``).

    The file descriptor is then pointed at the null device, so that what is still buffered
    flushes quietly when Python exits.
    """

    def __init__(self, stream):
        self.stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._drop_output()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._drop_output()

    def __getattr__(self, name):  # isatty, fileno, encoding, ...: the wrapped stream's
        return getattr(self.stream, name)

    def _drop_output(self) -> None:
        self.reader_gone = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)


def traceback_dir() -> Path:
    """Where an unexpected failure's traceback is saved: ``$XDG_STATE_HOME/glassnet/
    tracebacks``, by default ``~/.local/state/glassnet/tracebacks``."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "glassnet" / "tracebacks"


def describe_os_error(error: OSError) -> str:
    """An OSError as a sentence: the file, the system's reason, and the fix.

    The fix is added to the system's own errors (those naming a file); glassnet's own
    OSErrors (``atomic_write``, ``load_checkpoint``) already end with theirs.

    Example:
        >>> describe_os_error(NotADirectoryError(errno.ENOTDIR, "Not a directory", "runs/x"))
        'runs/x: Not a directory. A part of the path is a file, not a folder: choose another path.'
    """
    text = error.strerror or str(error) or type(error).__name__
    if error.filename is not None:
        text = f"{os.fsdecode(error.filename)}: {text}"
    text = text.rstrip(". ") + "."
    hint = OS_ERROR_HINTS.get(error.errno) if error.filename is not None else None
    return f"{text} {hint}" if hint else text


def _report(command: str, error: Exception, argv: list[str]) -> int:
    """Print ``error`` as the module docstring says; return the exit code."""
    from glassnet.errors import ConfigError, GlassnetError

    if isinstance(error, GlassnetError):
        _print_error(command, str(error), error)
        return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILURE
    if isinstance(error, OSError):
        _print_error(command, describe_os_error(error), error)
        return EXIT_FAILURE
    if isinstance(error, ImportError):
        _print_error(command, str(error), error)
        return EXIT_FAILURE
    saved = _save_traceback(command, error, argv)
    where = (f"the traceback is saved in {saved}" if saved is not None
             else "the traceback is above")
    _print_error(
        command,
        f"unexpected error ({type(error).__name__}: {error}). This is a bug in glassnet, not "
        f"your mistake: please report it with the command you ran; {where}.",
        error,
    )
    return EXIT_FAILURE


def _print_error(command: str, message: str, error: BaseException) -> None:
    lines = [f"{command}: {message}", *getattr(error, "__notes__", ())]
    print("\n".join(lines), file=sys.stderr, flush=True)


def _warn(command: str, message) -> None:
    print(f"{command}: warning: {message}", file=sys.stderr, flush=True)


def _save_traceback(command: str, error: Exception, argv: list[str]) -> Path | None:
    """Write the traceback to a new file in traceback_dir() (else the temporary folder) and
    return its path; print it to standard error when neither can be written."""
    from glassnet import __version__

    text = "".join([
        f"command: glassnet {shlex.join(argv)}\n",
        f"glassnet {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n\n",
        *traceback.format_exception(error),
    ])
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{command.split()[-1]}-{os.getpid()}.txt"
    for folder in (traceback_dir(), Path(_temporary_dir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
            return folder / name
        except OSError:
            continue
    print(text, file=sys.stderr)
    return None


def _temporary_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


if __name__ == "__main__":
    sys.exit(main())
