"""Entry point of the ``glassnet`` command.

Each command lives in its own module of this package, exposing ``add_parser(subparsers)``
(which registers the command's arguments and sets ``run`` as its handler) and
``run(args) -> int`` (the exit code). Command modules are imported only when the parser is
built and keep heavy imports inside ``run`` so that ``glassnet --help`` stays fast.
"""

import argparse
import importlib
import sys

COMMAND_MODULES = (
    "glassnet.cli.demo",
    "glassnet.cli.train",
    "glassnet.cli.evaluate",
    "glassnet.cli.predict",
    "glassnet.cli.summary",
    "glassnet.cli.datasets",
    "glassnet.cli.classic",
    "glassnet.cli.doctor",
    "glassnet.cli.lr_find",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a readable deep-learning library on NumPy.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the chosen command, return its exit code.

    argparse exits with code 2 on invalid arguments, which is the convention for usage errors.
    """
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
