"""The options of a training run, shared by every command that trains (train, and the
commands that run several trainings or a short one: compare, search, doctor, lr-find).

Every option defaults to None (= not given), so that ``train_config`` can layer the defaults,
the ``--config`` TOML file and the command line in that order.
"""

from glassnet.cli.arguments import add_bool, comma_ints, comma_names, positive_float, positive_int
from glassnet.train.config import (
    ACTIVATIONS,
    AUGMENTATIONS,
    DATASETS,
    INITS,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    TrainConfig,
    load_config,
)


def add_train_options(parser) -> None:
    """Add every field of TrainConfig as an option, plus --config (a TOML file of them)."""
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", choices=DATASETS, help="fashion-mnist (default), mnist, cifar10")
    data.add_argument("--data-dir", help="folder holding the dataset files (when given, the "
                      "only one searched)")
    add_bool(data, "--download", "download the dataset if no copy is found")
    data.add_argument("--val-fraction", type=float, help="share of train held out (0.1)")
    data.add_argument("--train-limit", type=positive_int, help="use only N training examples")
    data.add_argument("--augment", type=comma_names, metavar="NAMES",
                      help=f"augment training images: {','.join(AUGMENTATIONS)} (none)")
    model = parser.add_argument_group("model")
    model.add_argument("--model", choices=MODELS, help="architecture (cnn)")
    model.add_argument("--hidden", type=comma_ints, help="FC widths, e.g. 256,128")
    model.add_argument("--channels", type=comma_ints, help="conv widths per block, e.g. 32,64")
    model.add_argument("--activation", choices=ACTIVATIONS, help="nonlinearity (relu)")
    model.add_argument("--init", choices=INITS, help="weight initialization (default)")
    add_bool(model, "--batch-norm", "batch normalization before each activation")
    model.add_argument("--dropout", type=float, help="drop probability (0)")
    opt = parser.add_argument_group("optimization")
    opt.add_argument("--optimizer", choices=OPTIMIZERS, help="update rule (adam)")
    opt.add_argument("--lr", type=positive_float, help="learning rate (0.001)")
    opt.add_argument("--momentum", type=float, help="momentum for momentum/nesterov (0.9)")
    opt.add_argument("--weight-decay", type=float, help="L2 / decoupled weight decay (0)")
    opt.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule (constant)")
    opt.add_argument("--warmup-epochs", type=float, help="linear warm-up length (0)")
    opt.add_argument("--batch-size", type=positive_int, help="examples per step (128)")
    opt.add_argument("--epochs", type=positive_int, help="passes over the data (5)")
    opt.add_argument("--label-smoothing", type=float, metavar="EPS",
                     help="spread EPS of each target over all classes (0)")
    opt.add_argument("--clip-norm", type=positive_float, help="clip the gradient norm")
    opt.add_argument("--early-stopping", type=positive_int, metavar="PATIENCE",
                     help="stop when val loss stalls this many epochs")
    run = parser.add_argument_group("run")
    run.add_argument("--seed", type=int, help="random seed (0)")
    run.add_argument("--out", help="folder of run folders (runs)")
    run.add_argument("--name", help="run folder name (default: a timestamp)")
    run.add_argument("--config", help="TOML file with any of these options")
    add_bool(run, "--progress", "progress bar (default: only on a terminal)")


def train_config(args, *, base: dict | None = None) -> TrainConfig:
    """The TrainConfig of parsed ``args``: defaults ← ``base`` ← ``--config`` file ← given
    options.

    Args:
        base: options to start from instead of the defaults (``glassnet train --resume``
            passes the resumed run's recorded options).

    Raises:
        ConfigError: a bad file, key or value.
    """
    names = {field.name for field in TrainConfig.__dataclass_fields__.values()}
    options = {key: value for key, value in vars(args).items() if key in names}
    return load_config(args.config, options, base=base)
