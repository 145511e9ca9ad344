"""``glassnet train``: train a named model on a dataset, with progress, checkpoints and a
run folder; the last line reports the test accuracy and where the run was written.

Options override the config file (--config run.toml, keys named like the options with
underscores: batch_size = 64), which overrides the defaults.
"""

import argparse
import sys

from glassnet.cli.distributed_options import add_distributed_options, distributed_role
from glassnet.cli.train_options import add_train_options, train_config


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a model (default: the reference CNN on Fashion-MNIST)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=None,
    )
    add_train_options(parser)
    parser.add_argument("--resume",
                        help="checkpoint to continue from, or 'auto' (the run's last)")
    add_distributed_options(parser)
    parser.set_defaults(run=run_command)


def run_command(args) -> int:
    from glassnet.errors import ConfigError, DatasetError
    from glassnet.train.run import run

    try:
        config = train_config(args)
        role = distributed_role(args)  # None unless --distributed
    except ConfigError as error:
        print(f"glassnet train: {error}", file=sys.stderr)
        return 2
    try:
        result = run_distributed(config, args.resume, role) if role is not None else run(
            config, resume=args.resume)
    except DatasetError as error:
        print(f"glassnet train: {error}", file=sys.stderr)
        return 1
    if role is not None and not role.writes_files:  # rank 0 reports for every process
        return 128 + result.signal if result.signal is not None else int(result.failed)
    if result.signal is not None:
        print(f"glassnet train: {result.stop_reason}", file=sys.stderr)
        return 128 + result.signal  # the shell's convention: 130 for SIGINT, 143 for SIGTERM
    if result.failed:
        print(f"glassnet train: {result.stop_reason}", file=sys.stderr)
        print(f"run folder: {result.folder}")
        return 1
    print(f"test accuracy: {result.test_metrics['accuracy']:.4f} (run folder: {result.folder})")
    return 0


def run_distributed(config, resume, role):
    """This process's part of a run over several processes; an error in any of them ends
    them all (glassnet.distributed.launch.fail_together)."""
    from glassnet.distributed.launch import fail_together
    from glassnet.train.run import run

    with fail_together(role.comm):
        return run(config, resume=resume, role=role)
