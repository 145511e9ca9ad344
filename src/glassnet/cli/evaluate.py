"""``glassnet evaluate RUN_OR_CHECKPOINT``: loss and accuracy of a saved model on a split of
the dataset it was trained on, preprocessed exactly as in training."""

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="evaluate a trained model on a dataset split",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", metavar="RUN_OR_CHECKPOINT",
                        help="a run folder (its best checkpoint is used) or a .safetensors file")
    parser.add_argument("--split", choices=("test", "train"), default="test",
                        help="which split to evaluate (test)")
    parser.add_argument("--data-dir", help="folder holding the dataset (default: as trained); "
                        "only this folder is searched")
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.cli.checkpoints import load_trained_model
    from glassnet.data import load_dataset
    from glassnet.nn.loss import CrossEntropyLoss
    from glassnet.train.run import preprocess
    from glassnet.train.trainer import Trainer

    trained = load_trained_model(args.checkpoint)
    dataset = trained.config["dataset"]
    # An explicit folder (given now, or recorded by the run) is the only place searched.
    X, y = load_dataset(dataset, split=args.split,
                        root=args.data_dir or trained.config.get("data_dir"), fallback=False)
    trainer = Trainer(trained.model, CrossEntropyLoss(), optimizer=None)
    metrics = trainer.evaluate((preprocess(X, trained.preprocessing), y))
    print(f"{dataset} {args.split}: {len(y)} examples, loss {metrics['loss']:.4f}")
    print(f"{args.split} accuracy: {metrics['accuracy']:.4f}")
    return 0
