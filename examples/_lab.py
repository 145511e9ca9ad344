"""What every example shares: its command line, its data, its figures and the check of its
claims.

An example reads top to bottom as a short lab notebook (jupytext "percent" format, ``# %%``
cells): the question, the experiment, the numbers, the figure, and each claim checked
against the numbers it measured. ``Lab`` gives it ``--quick`` (a smaller run for the tests,
≤ 10 s), ``--out`` (where figures go) and ``claim(...)``, which prints whether a claim held
for this run and makes the script's exit status 1 if one did not.

Example (inside ``examples/28_two_linear_layers.py``)::

    lab = Lab("28. Why not two linear layers in a row?")
    ...
    lab.claim("the two layers equal one layer with W = W2·W1", difference < 1e-5,
              f"max difference {difference:.1e}")
    lab.answer("they collapse into one linear layer: ...")
    lab.finish()

Exit statuses: 0 when every claim held, 1 when one did not, ``SKIP_STATUS`` (77) when the
example needs a dataset that is not installed (the tests report it as skipped).
"""

import argparse
import ctypes
import os
import sys
import time
from pathlib import Path

import numpy as np

SKIP_STATUS = 77  # automake's "skipped" status


class Lab:
    """The question being answered, the run's options, and the claims checked so far."""

    def __init__(self, question: str, *, argv=None):
        parser = argparse.ArgumentParser(description=question)
        parser.add_argument("--quick", action="store_true",
                            help="a smaller, faster run (for the tests; ≤ 10 s)")
        parser.add_argument("--out", type=Path, default=Path(__file__).parent / "figures",
                            help="folder for the figures (default: examples/figures)")
        parser.add_argument("--threads", type=int, default=None,
                            help="BLAS threads (default: OPENBLAS_NUM_THREADS if set, else 1)")
        # parse_known_args: inside Jupyter, the kernel adds arguments of its own.
        self.args, _ = parser.parse_known_args(argv)
        threads = self.args.threads
        if threads is None and "OPENBLAS_NUM_THREADS" not in os.environ:
            threads = 1
        if threads is not None:
            set_blas_threads(threads)
        self.quick = self.args.quick
        self.out = self.args.out
        self.failed_claims = []
        self.started = time.perf_counter()
        print(question)

    def choose(self, full, quick):
        """``quick`` in a ``--quick`` run, ``full`` otherwise (sizes, epochs, repeats)."""
        return quick if self.quick else full

    def figure_path(self, name: str) -> Path:
        """Where to save the figure ``name`` (the folder is created)."""
        self.out.mkdir(parents=True, exist_ok=True)
        return self.out / name

    def save(self, figure, name: str) -> Path:
        """Save ``figure`` (from ``glassnet.plot.figure.new_figure``) as ``--out``/``name``."""
        from glassnet.plot.figure import save_png

        path = save_png(figure, self.figure_path(name))
        print(f"figure: {path}")
        return path

    def table(self, header: list, rows: list) -> None:
        """Print rows of values under ``header`` as aligned columns."""
        cells = [[str(h) for h in header]] + [[_cell(v) for v in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        for k, row in enumerate(cells):
            print("  ".join(c.rjust(w) for c, w in zip(row, widths)))
            if k == 0:
                print("  ".join("-" * w for w in widths))

    def claim(self, statement: str, holds: bool, evidence: str) -> bool:
        """Print whether ``statement`` held in this run, with the numbers it rests on."""
        verdict = "CLAIM HOLDS" if holds else "CLAIM DOES NOT HOLD"
        print(f"{verdict}: {statement} ({evidence})")
        if not holds:
            self.failed_claims.append(statement)
        return bool(holds)

    def answer(self, text: str) -> None:
        """Print the measured answer to the question (one or two sentences, with numbers)."""
        print(f"ANSWER: {text}")

    def finish(self) -> None:
        """Exit with status 1 if any claim failed, so the tests notice."""
        print(f"({time.perf_counter() - self.started:.1f} s{', quick run' if self.quick else ''})")
        if self.failed_claims:
            print(f"{len(self.failed_claims)} claim(s) did not hold in this run.")
            sys.exit(1)

    def fashion_mnist(self, n_train: int, n_test: int, *, n_val: int = 0, size: int = 14,
                      seed: int = 0):
        """Random subsets of Fashion-MNIST as flat float32 features, standardized with the
        training subset's mean and std: ``(X_train, y_train), (X_val, y_val), (X_test,
        y_test)`` (the validation pair is empty when ``n_val`` is 0).

        Train and validation come from the official training split (disjoint), test from
        the test split. ``size`` 14 averages 2×2 pixel blocks (196 features, 4× faster
        than 28×28 and nearly as accurate for these experiments). When the dataset is not
        installed, the script says where to get it and exits with ``SKIP_STATUS``.
        """
        from glassnet.data import Standardize, load_dataset
        from glassnet.errors import DatasetNotFoundError

        try:
            X, y = load_dataset("fashion-mnist", split="train")
            X_test, y_test = load_dataset("fashion-mnist", split="test")
        except DatasetNotFoundError as error:
            print(f"SKIPPED: this example needs Fashion-MNIST ({error}). On Debian: "
                  "apt-get install dataset-fashion-mnist; elsewhere: "
                  "glassnet datasets, or load_dataset(..., download=True).")
            sys.exit(SKIP_STATUS)
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(X))
        train, val = order[:n_train], order[n_train : n_train + n_val]
        test = rng.permutation(len(X_test))[:n_test]
        scaler = Standardize(per="global").fit(_shrink(X[train], size))
        pairs = [(X[train], y[train]), (X[val], y[val]), (X_test[test], y_test[test])]
        return [(scaler.transform(_shrink(images, size)).astype(np.float32), labels)
                for images, labels in pairs]


def set_blas_threads(count: int) -> bool:
    """Ask NumPy's bundled OpenBLAS to use ``count`` threads; True if it could be told.

    The examples multiply small matrices, which one thread does fastest: with two, each
    product pays the hand-off between threads, and on a busy machine the waiting thread
    spins (measured here: up to 20× the CPU time). Setting OPENBLAS_NUM_THREADS before
    Python starts does the same; this is the in-process way, through OpenBLAS's own
    ``openblas_set_num_threads`` (named with a prefix in the scipy-openblas wheels).
    Best effort: with another BLAS nothing changes.
    """
    import numpy

    folder = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    for library in sorted(folder.glob("*openblas*")):
        handle = ctypes.CDLL(str(library))
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                     "openblas_set_num_threads"):
            if hasattr(handle, name):
                getattr(handle, name)(int(count))
                return True
    return False


FASHION_CLASSES = ("T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                   "sneaker", "bag", "boot")


def _shrink(images: np.ndarray, size: int) -> np.ndarray:
    """(N, 28, 28) uint8 images → (N, size²) float32, averaging blocks of 28/size pixels."""
    images = images.astype(np.float32) / 255.0
    if size != 28:
        if 28 % size:
            raise ValueError(f"size must divide 28 (28, 14, 7, 4, 2), but got {size}.")
        k = 28 // size
        images = images.reshape(len(images), size, k, size, k).mean(axis=(2, 4))
    return images.reshape(len(images), size * size)


def _cell(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)
