"""``glassnet summary --model cnn``: each layer's output shape and parameter count, the
totals and the activation memory, for a named architecture."""

import argparse

from glassnet.cli.arguments import comma_ints


def add_parser(subparsers) -> None:
    from glassnet.train.config import MODELS

    parser = subparsers.add_parser("summary", help="print a model's layers, shapes and sizes",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=MODELS, default="cnn", help="architecture (cnn)")
    parser.add_argument("--input-shape", type=comma_ints, default=[1, 28, 28],
                        help="one example's shape as C,H,W (1,28,28)")
    parser.add_argument("--classes", type=int, default=10, help="number of classes (10)")
    parser.add_argument("--hidden", type=comma_ints, help="FC widths, e.g. 256,128")
    parser.add_argument("--channels", type=comma_ints, help="conv widths, e.g. 32,64")
    parser.set_defaults(run=run)


def run(args) -> int:
    import sys

    from glassnet.errors import ConfigError, ShapeError
    from glassnet.nn import summary
    from glassnet.train.config import TrainConfig
    from glassnet.train.run import build_model

    try:
        config = TrainConfig(model=args.model, hidden=args.hidden, channels=args.channels)
        model = build_model(config, tuple(args.input_shape), args.classes, generator=None)
        print(summary(model, tuple(args.input_shape)))
    except (ConfigError, ShapeError) as error:
        print(f"glassnet summary: {error}", file=sys.stderr)
        return 2
    return 0
