"""``glassnet compare``: train runs that differ in one factor (or a grid of factors) over
several seeds, then write results.csv and a report (Markdown and self-contained HTML); the
last line prints the report's path.

    glassnet compare --vary activation=relu,tanh,sigmoid --seeds 0,1,2 --model mlp
    glassnet compare --vary optimizer=sgd,adam --vary lr=1e-2,1e-3 --jobs 2

Every other option is a `glassnet train` option, held fixed for every run. The runs go into
<out>/compare-<name>/ (name: --name, else the factors); running the same command again
continues an interrupted comparison.
"""

import argparse
import sys

from glassnet.cli.train_options import add_train_options, train_config


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare runs that differ in one factor, with a report",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=None,
    )
    group = parser.add_argument_group("comparison")
    group.add_argument("--vary", action="append", required=True, metavar="KEY=V1,V2,...",
                       help="a factor and its values (repeat for a grid); lists of widths "
                            "with dashes: hidden=256-128,512")
    group.add_argument("--seeds", metavar="S1,S2,...",
                       help="seeds every variant is trained with (default 0,1,2, or --seed)")
    group.add_argument("--jobs", type=int, default=1,
                       help="runs at a time, each in its own process (default 1)")
    group.add_argument("--lang", choices=("en", "fa"), default="en",
                       help="language of the report (default en)")
    add_train_options(parser)
    parser.set_defaults(run=run_command)


def run_command(args) -> int:
    from glassnet.experiments import compare, parse_vary

    vary = parse_vary(args.vary)
    seeds = _seeds(args.seeds, args.seed)
    base = train_config(args)
    comparison = compare(base, vary, seeds, jobs=args.jobs, lang=args.lang)
    if comparison.interrupted:
        done = sum(record.finished for record in comparison.records)
        print(f"glassnet compare: interrupted with {done} of {len(comparison.records)} runs "
              "finished; run the same command again to continue.", file=sys.stderr)
        return 128 + comparison.signal
    failed = [record.name for record in comparison.records if record.status == "failed"]
    if failed:
        print(f"glassnet compare: {len(failed)} run(s) failed ({', '.join(failed)}); see "
              "error.txt in their folders. Run the same command again to retry them.",
              file=sys.stderr)
    print(f"report: {comparison.report.html}")
    return 1 if failed else 0


def _seeds(text: str | None, seed: int | None) -> list:
    from glassnet.errors import ConfigError

    if text is not None and seed is not None:
        raise ConfigError("--seeds and --seed: expected one of them, but got both. Use "
                          "--seeds 0,1,2 for several seeds or --seed 5 for one.")
    if text is None:
        return [seed] if seed is not None else [0, 1, 2]
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"--seeds: expected integers such as 0,1,2, but got {text!r}.") \
            from None
