"""``glassnet train``: train a named model on a dataset, with progress, checkpoints and a
run folder; the last line reports the test accuracy and where the run was written.

Options override the config file (--config run.toml, keys named like the options with
underscores: batch_size = 64), which overrides the defaults.
"""

import argparse
import sys

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
    parser.add_argument("--diagnose", action="store_true",
                        help="record per-layer telemetry (telemetry.jsonl), print findings "
                             "as they appear and save them (findings.json)")
    parser.set_defaults(run=run_command)


def run_command(args) -> int:
    from glassnet.errors import ConfigError, DatasetError
    from glassnet.train.run import run

    try:
        config = train_config(args)
    except ConfigError as error:
        print(f"glassnet train: {error}", file=sys.stderr)
        return 2
    callbacks = []
    if args.diagnose:
        from glassnet.diagnose import Telemetry

        callbacks.append(Telemetry(every=10, stream=sys.stdout))
    try:
        result = run(config, resume=args.resume, callbacks=callbacks)
    except DatasetError as error:
        print(f"glassnet train: {error}", file=sys.stderr)
        return 1
    if result.signal is not None:
        print(f"glassnet train: {result.stop_reason}", file=sys.stderr)
        return 128 + result.signal  # the shell's convention: 130 for SIGINT, 143 for SIGTERM
    if result.failed:
        print(f"glassnet train: {result.stop_reason}", file=sys.stderr)
        print(f"run folder: {result.folder}")
        return 1
    print(f"test accuracy: {result.test_metrics['accuracy']:.4f} (run folder: {result.folder})")
    return 0
