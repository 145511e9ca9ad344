"""``glassnet report``: the comparison report for any run folders — runs made by hand with
`glassnet train`, or a comparison folder (to write it again, e.g. in Persian). Runs are
compared by the config options in which they differ; the last line prints the report's
path.

    glassnet report runs/lr-0.1 runs/lr-0.01 runs/lr-0.001 --out runs/report-lr
    glassnet report runs/compare-activation --lang fa --out runs/report-fa
"""

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write a comparison report (HTML, Markdown) for run folders",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", metavar="RUN", help="run or comparison folders")
    parser.add_argument("--out", help="folder to write into (default: the comparison folder "
                                      "when one is given alone, else report-<factors> beside "
                                      "the first run)")
    parser.add_argument("--lang", choices=("en", "fa"), default="en",
                        help="language of the report (default en)")
    parser.add_argument("--title", help="the report's title (default: from the factors)")
    parser.set_defaults(run=run_command)


def run_command(args) -> int:
    from glassnet.experiments import report

    files = report(args.runs, out=args.out, lang=args.lang, title=args.title)
    print(f"report: {files.html}")
    return 0
