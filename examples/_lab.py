"""What every example shares: its command line and the check of its claims.

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
    lab.finish()
"""

import argparse
import sys
from pathlib import Path


class Lab:
    """The question being answered, the run's options, and the claims checked so far."""

    def __init__(self, question: str, *, argv=None):
        parser = argparse.ArgumentParser(description=question)
        parser.add_argument("--quick", action="store_true",
                            help="a smaller, faster run (for the tests; ≤ 10 s)")
        parser.add_argument("--out", type=Path, default=Path(__file__).parent / "figures",
                            help="folder for the figures (default: examples/figures)")
        # parse_known_args: inside Jupyter, the kernel adds arguments of its own.
        self.args, _ = parser.parse_known_args(argv)
        self.quick = self.args.quick
        self.out = self.args.out
        self.failed_claims = []
        print(question)

    def figure_path(self, name: str) -> Path:
        """Where to save the figure ``name`` (the folder is created)."""
        self.out.mkdir(parents=True, exist_ok=True)
        return self.out / name

    def claim(self, statement: str, holds: bool, evidence: str) -> bool:
        """Print whether ``statement`` held in this run, with the numbers it rests on."""
        verdict = "CLAIM HOLDS" if holds else "CLAIM DOES NOT HOLD"
        print(f"{verdict}: {statement} ({evidence})")
        if not holds:
            self.failed_claims.append(statement)
        return bool(holds)

    def finish(self) -> None:
        """Exit with status 1 if any claim failed, so the tests notice."""
        if self.failed_claims:
            print(f"{len(self.failed_claims)} claim(s) did not hold in this run.")
            sys.exit(1)
