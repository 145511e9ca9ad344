"""``glassnet predict CHECKPOINT IMAGE...``: classify image files with a trained model.

Images are PNG (needs Pillow: pip install 'glassnet[images]') or NPY arrays, of the size the
model was trained on (28×28 for Fashion-MNIST). Each is preprocessed as in training.
"""

import argparse
import sys

import numpy as np

CLASS_NAMES = {
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                      "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "mnist": [str(digit) for digit in range(10)],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                "ship", "truck"],
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("predict", help="classify PNG/NPY images with a trained model",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", metavar="RUN_OR_CHECKPOINT")
    parser.add_argument("images", metavar="IMAGE", nargs="+", help="PNG or NPY files")
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.cli.checkpoints import checkpoint_path
    from glassnet.creation import as_tensor
    from glassnet.data.images import read_image
    from glassnet.errors import CheckpointError
    from glassnet.ops import softmax
    from glassnet.serialization import load
    from glassnet.train.run import preprocess
    from glassnet.train.trainer import Trainer

    try:
        model = load(checkpoint_path(args.checkpoint))
        record = model.metadata["preprocessing"]
        images = np.stack([read_image(path, record["input_shape"]) for path in args.images])
    except (FileNotFoundError, CheckpointError, ValueError, ImportError) as error:
        print(f"glassnet predict: {error}", file=sys.stderr)
        return 1
    except KeyError:
        print("glassnet predict: the checkpoint records no preprocessing; it was not written "
              "by glassnet train.", file=sys.stderr)
        return 2
    scores = Trainer(model, loss_fn=None, optimizer=None).predict(preprocess(images, record))
    probabilities = softmax(as_tensor(scores), axis=1).data
    names = CLASS_NAMES.get(model.metadata.get("config", {}).get("dataset"), [])
    for path, row in zip(args.images, probabilities):
        label = int(row.argmax())
        name = f" ({names[label]})" if label < len(names) else ""
        print(f"{path}: class {label}{name}, probability {row[label]:.3f}")
    return 0
