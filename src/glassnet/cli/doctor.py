"""``glassnet doctor``: diagnose the configured model and data before you train for long.

Runs the preflight (model structure, data, the lecture's sanity checks), a short training
(--steps) with the configured optimizer and learning rate, and counter-experiments for the
suspected causes, then prints the findings, most severe first. Takes every option of
``glassnet train``. Exit status 1 when an error-level finding exists, 0 otherwise — usable
in grading scripts and CI.

    glassnet doctor --model mlp --lr 0.5
    glassnet doctor --model cnn --train-limit 5000 --json --lang fa
"""

import argparse

from glassnet.cli.arguments import positive_int
from glassnet.cli.train_options import add_train_options, train_config


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "doctor", help="find what is wrong with a model or its training setup",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=None,
    )
    add_train_options(parser)
    doctor = parser.add_argument_group("doctor")
    doctor.add_argument("--steps", type=positive_int, default=200,
                        help="steps of the short training run (200)")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.add_argument("--lang", choices=("en", "fa"), default="en",
                        help="language of the findings (en)")
    doctor.add_argument("--no-confirm", dest="confirm", action="store_false", default=True,
                        help="skip the counter-experiments (faster, less sure)")
    parser.set_defaults(run=run)


def build_setup(config):
    """The data splits, model and optimizer ``glassnet train`` would use for ``config``,
    from the same seeds."""
    import math

    import numpy as np

    from glassnet.random import manual_seed
    from glassnet.train.run import build_model, build_optimizer, prepare_data

    manual_seed(config.seed)
    split_rng, model_rng, _ = (np.random.default_rng(seed)
                               for seed in np.random.SeedSequence(config.seed).spawn(3))
    data = prepare_data(config, split_rng)
    model = build_model(config, data.train[0].shape[1:], data.num_classes, model_rng)
    steps_per_epoch = math.ceil(len(data.train[1]) / config.batch_size)
    optimizer = build_optimizer(config, model, steps_per_epoch)
    return data, model, optimizer


def run(args) -> int:
    from glassnet.diagnose import doctor
    from glassnet.nn import CrossEntropyLoss

    config = train_config(args)
    data, model, optimizer = build_setup(config)
    report = doctor(model, CrossEntropyLoss(), data.train, data.val, optimizer=optimizer,
                    steps=args.steps, batch_size=config.batch_size, seeds=(config.seed,),
                    confirm=args.confirm, lang=args.lang)
    print(report.dumps() if args.json else report)
    return 1 if report.has_errors else 0
