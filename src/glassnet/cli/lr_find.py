"""``glassnet lr-find``: the learning-rate range test on the configured model and data.

Sweeps the learning rate exponentially from --start-lr to --end-lr over --steps steps
with the configured optimizer, smooths the loss, stops when it diverges, and suggests a
learning rate (the minimum of the smoothed loss ÷ 10; the steepest descent is shown too).
Writes the curve as a figure (--figure). Exit status 1 when the curve is flat and no
learning rate can be suggested. Takes every option of ``glassnet train``.

    glassnet lr-find --model mlp --optimizer sgd --figure lr_find.png
"""

import argparse

from glassnet.cli.arguments import positive_float, positive_int
from glassnet.cli.train_options import add_train_options, train_config


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "lr-find", help="learning-rate range test: sweep the rate, suggest one, plot it",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=None,
    )
    add_train_options(parser)
    sweep = parser.add_argument_group("sweep")
    sweep.add_argument("--steps", type=positive_int, default=100,
                       help="steps (learning rates) of the sweep (100)")
    sweep.add_argument("--start-lr", type=positive_float, default=1e-7,
                       help="first learning rate (1e-7)")
    sweep.add_argument("--end-lr", type=positive_float, default=10.0,
                       help="last learning rate (10)")
    sweep.add_argument("--figure", default="lr_find.png",
                       help="where to write the curve (lr_find.png)")
    sweep.add_argument("--json", action="store_true", help="print the sweep as JSON")
    sweep.add_argument("--lang", choices=("en", "fa"), default="en",
                       help="language of the message (en)")
    parser.set_defaults(run=run)


def run(args) -> int:
    import json
    import sys

    from glassnet.cli.doctor import build_setup
    from glassnet.diagnose import lr_find
    from glassnet.errors import ConfigError
    from glassnet.nn import CrossEntropyLoss
    from glassnet.plot.diagnose import lr_find_figure

    if args.steps < 10:
        raise ConfigError(f"lr-find: expected --steps >= 10, but got {args.steps}.")
    config = train_config(args)
    data, model, optimizer = build_setup(config)
    result = lr_find(model, CrossEntropyLoss(), data.train, optimizer=optimizer,
                     start_lr=args.start_lr, end_lr=args.end_lr, steps=args.steps,
                     batch_size=config.batch_size, seed=config.seed)
    lr_find_figure(result, args.figure)
    if args.json:
        print(json.dumps({**result.to_json(), "message": result.describe(args.lang),
                          "figure": str(args.figure)}, indent=2, ensure_ascii=False))
    else:
        print(result.describe(args.lang))
        print(f"figure: {args.figure}")
    if result.refused is not None:
        print(f"glassnet lr-find: {result.describe(args.lang)}", file=sys.stderr)
        return 1
    return 0
