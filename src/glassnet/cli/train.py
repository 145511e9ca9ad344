"""``glassnet train``: train a named model on a dataset, with progress, checkpoints and a
run folder; the last line reports the test accuracy and where the run was written.

Options override the config file (--config run.toml, keys named like the options with
underscores: batch_size = 64), which overrides the defaults.

--resume continues a run exactly where it stopped, with the options it was started with
(recorded in its checkpoint; you need not repeat them). Only --epochs (unless the schedule
is laid out over the run: step, exponential, inverse_time, cosine, one_cycle), --data-dir,
--download, --progress, --out and --name may differ; any other option that differs is
refused before the run folder is touched. The run folder's status.json records each resume
and what it changed. One process writes a run folder at a time: a second run with the same
--name stops at once.
"""

import argparse
import sys
from pathlib import Path

from glassnet.cli.distributed_options import add_distributed_options, distributed_role
from glassnet.cli.train_options import add_train_options, train_config

# Recorded options a resumed run does not take over: where it is written and how it shows.
NOT_INHERITED = ("out", "name", "progress")


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
    add_distributed_options(parser)
    parser.set_defaults(run=run_command)


def run_command(args) -> int:
    from glassnet.train.run import run

    config = train_config(args, base=_recorded_options(args))
    role = distributed_role(args)  # None unless --distributed
    callbacks = []
    if args.diagnose:
        from glassnet.diagnose import Telemetry

        callbacks.append(Telemetry(every=10, stream=sys.stdout))
    if role is None:
        result = run(config, resume=args.resume, callbacks=callbacks)
    else:
        result = run_distributed(config, args.resume, role, callbacks)
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


def _recorded_options(args) -> dict | None:
    """The options recorded in the checkpoint --resume continues from (None without one)."""
    from glassnet.train.config import TrainConfig, check_run_name, read_config_file
    from glassnet.train.run_folder import read_resume_checkpoint, recorded_config

    if args.resume is None:
        return None
    path = Path(args.resume)
    if args.resume == "auto":
        in_file = read_config_file(args.config) if args.config is not None else {}
        name = args.name or in_file.get("name")
        if name is None:
            return None  # a new run folder: nothing to continue
        check_run_name(name)
        path = Path(args.out or in_file.get("out") or TrainConfig.out) / name / "last.safetensors"
        if not path.is_file():
            return None  # nothing to continue yet: a fresh run
    recorded = recorded_config(read_resume_checkpoint(path)) or {}
    return {key: value for key, value in recorded.items() if key not in NOT_INHERITED}


def run_distributed(config, resume, role, callbacks=()):
    """This process's part of a run over several processes; an error in any of them ends
    them all (glassnet.distributed.launch.fail_together)."""
    from glassnet.distributed.launch import fail_together
    from glassnet.train.run import run

    with fail_together(role.comm):
        return run(config, resume=resume, role=role, callbacks=callbacks)
