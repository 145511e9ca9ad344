"""``glassnet search``: hyperparameter search on Optuna, in log space, coarse to fine.

    glassnet search --param lr=log:1e-5:1e-1 --param weight_decay=log:1e-6:1e-2 \\
        --param hidden=choice:128,256,512 --model mlp --trials 30 --epochs-per-trial 2

Each trial is an ordinary run folder under <out>/search-<study>/; the leaderboard is printed
at the end and written to leaderboard.csv, the best configuration to best.toml (train the
final model with glassnet train --config best.toml), and a report with figures to
report.html (its path is the last line printed). Running the same command again
continues the search to the requested count. On other machines, the same command with the
same --storage postgresql://... and --study joins the study.

Parameters: NAME=log:LOW:HIGH, float:LOW:HIGH, int:LOW:HIGH, intlog:LOW:HIGH or
choice:A,B,C (layer lists as 256-128), NAME being any option below; or a --space TOML file
of NAME = "log:1e-5:1e-1" lines (a TOML list is a choice: hidden = ["128", "256-128"]).
"""

import argparse
import sys
import tomllib

from glassnet.cli.arguments import add_bool, positive_int
from glassnet.cli.train_options import add_train_options, train_config

LEADERBOARD_LINES = 10


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "search", help="hyperparameter search on Optuna (random, grid or TPE; many workers)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=None,
    )
    space = parser.add_argument_group("search")
    space.add_argument("--param", action="append", default=[], metavar="NAME=KIND:...",
                       help="a searched option, e.g. lr=log:1e-5:1e-1 (repeat for more)")
    space.add_argument("--space", metavar="FILE.toml", help="the searched options from a file")
    space.add_argument("--sampler", choices=("random", "grid", "tpe"), default="random",
                       help="how trials are drawn (random)")
    space.add_argument("--trials", type=positive_int, default=20,
                       help="finished trials per round, over all workers (20)")
    space.add_argument("--workers", type=positive_int, default=1,
                       help="worker processes on this machine (1)")
    space.add_argument("--epochs-per-trial", type=positive_int, default=2,
                       help="epochs each trial trains (2)")
    space.add_argument("--refine", type=int, default=0, metavar="ROUNDS",
                       help="coarse-to-fine rounds after the first (0)")
    add_bool(space, "--prune", "stop trials below the median at the same epoch (on)")
    space.add_argument("--storage", metavar="URL",
                       help="postgresql://USER@HOST:PORT/DB shared by many machines "
                            "(default: a file in the search folder)")
    space.add_argument("--study", help="the study's name (default: the searched options)")
    space.add_argument("--lang", choices=("en", "fa"), default="en",
                       help="the report's language (en)")
    add_train_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.experiments.search import search
    from glassnet.experiments.space import parse_space

    config = train_config(args)
    space = parse_space([*_space_file_params(args.space), *args.param])
    try:
        summary = search(config, space, trials=args.trials, sampler=args.sampler,
                         workers=args.workers, epochs_per_trial=args.epochs_per_trial,
                         refine=args.refine, prune=args.prune is not False,
                         storage=args.storage, study=args.study, lang=args.lang)
    except KeyboardInterrupt:
        print("glassnet search: interrupted; run the same command again to continue (the "
              "interrupted trials resume from their checkpoints).", file=sys.stderr)
        return 130
    _print_leaderboard(summary)
    if summary.best is not None:
        print(f"best configuration: {summary.folder / 'best.toml'} (glassnet train --config "
              f"{summary.folder / 'best.toml'})")
    print(f"report: {summary.report}")
    return 0 if summary.best is not None else 1


def _space_file_params(path) -> list[str]:
    """``--space FILE``: NAME = "KIND:..." lines, or NAME = [choices] → ``--param`` strings."""
    from glassnet.errors import ConfigError

    if path is None:
        return []
    try:
        with open(path, "rb") as handle:
            table = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"--space: cannot read {path}: {error.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"--space: {path} is not valid TOML: {error}.") from None
    params = []
    for name, value in table.items():
        if isinstance(value, list) and value:
            params.append(f"{name}=choice:{','.join(str(item) for item in value)}")
        elif isinstance(value, str):
            params.append(f"{name}={value}")
        else:
            raise ConfigError(f"--space: {path}: {name} must be a string such as "
                              f'"log:1e-5:1e-1" or a list of choices, but got {value!r}.')
    return params


def _print_leaderboard(summary) -> None:
    counts = ", ".join(f"{count} {state}" for state, count in summary.counts.items())
    print(f"\nleaderboard ({counts}; all rows in {summary.folder / 'leaderboard.csv'}):")
    for row in summary.rows[:LEADERBOARD_LINES]:
        rank = f"{row['rank']:>3}" if row["rank"] is not None else "  -"
        params = ", ".join(f"{name}={_short(value)}" for name, value in row["params"].items())
        print(f"{rank}  val {row['val_accuracy']:.4f}  {row['state']:<9} round {row['round']} "
              f"trial {row['trial']:<4} {params}")


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
