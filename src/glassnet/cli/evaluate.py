"""``glassnet evaluate RUN_OR_CHECKPOINT``: loss and accuracy of a saved model on a split of
the dataset it was trained on, preprocessed exactly as in training."""

import argparse
import sys


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="evaluate a trained model on a dataset split",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", metavar="RUN_OR_CHECKPOINT",
                        help="a run folder (its best checkpoint is used) or a .safetensors file")
    parser.add_argument("--split", choices=("test", "train"), default="test",
                        help="which split to evaluate (test)")
    parser.add_argument("--data-dir", help="folder holding the dataset (default: as trained)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.cli.checkpoints import checkpoint_path
    from glassnet.data import load_dataset
    from glassnet.errors import CheckpointError, DatasetError
    from glassnet.nn.loss import CrossEntropyLoss
    from glassnet.serialization import load
    from glassnet.train.run import preprocess
    from glassnet.train.trainer import Trainer

    try:
        path = checkpoint_path(args.checkpoint)
        model = load(path)
        config = model.metadata.get("config", {})
        if "preprocessing" not in model.metadata or "dataset" not in config:
            print(f"glassnet evaluate: {path} records no dataset or preprocessing; it was not "
                  "written by glassnet train.", file=sys.stderr)
            return 2
        X, y = load_dataset(config["dataset"], split=args.split,
                            root=args.data_dir or config.get("data_dir"))
    except (FileNotFoundError, CheckpointError, DatasetError) as error:
        print(f"glassnet evaluate: {error}", file=sys.stderr)
        return 1
    trainer = Trainer(model, CrossEntropyLoss(), optimizer=None)
    metrics = trainer.evaluate((preprocess(X, model.metadata["preprocessing"]), y))
    print(f"{config['dataset']} {args.split}: {len(y)} examples, loss {metrics['loss']:.4f}")
    print(f"{args.split} accuracy: {metrics['accuracy']:.4f}")
    return 0
