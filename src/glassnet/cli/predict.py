"""``glassnet predict CHECKPOINT IMAGE...``: classify image files with a trained model.

Images are PNG or JPEG (needs Pillow: pip install 'glassnet[images]') or NPY arrays, of the
size the model was trained on (28×28 for Fashion-MNIST). Each is preprocessed as in
training. An NPY array must hold pixels like the training images' (for the datasets
glassnet reads: whole numbers 0..255, stored as any numeric dtype); an image scaled to 0..1,
or otherwise unlike them, is refused rather than classified wrongly with confidence.
"""

import argparse

import numpy as np


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("predict", help="classify PNG/NPY images with a trained model",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", metavar="RUN_OR_CHECKPOINT")
    parser.add_argument("images", metavar="IMAGE", nargs="+", help="PNG, JPEG or NPY files")
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.cli.checkpoints import load_trained_model
    from glassnet.creation import as_tensor
    from glassnet.data.classes import class_names
    from glassnet.data.images import check_pixels, read_image
    from glassnet.ops import softmax
    from glassnet.train.run import preprocess
    from glassnet.train.trainer import Trainer

    trained = load_trained_model(args.checkpoint)
    record = trained.preprocessing
    # Checkpoints from before the pixel record held uint8 images 0..255 (every dataset's).
    dtype, value_range = record.get("input_dtype", "uint8"), record.get("input_range", [0, 255])
    images = np.stack([
        check_pixels(read_image(path, record["input_shape"]), dtype, value_range, path)
        for path in args.images
    ])
    scores = Trainer(trained.model, loss_fn=None, optimizer=None).predict(
        preprocess(images, record))
    probabilities = softmax(as_tensor(scores), axis=1).data
    names = class_names(trained.config.get("dataset"), probabilities.shape[1], "en")
    for path, row in zip(args.images, probabilities):
        label = int(row.argmax())
        name = f" ({names[label]})" if names[label] != str(label) else ""
        print(f"{path}: class {label}{name}, probability {row[label]:.3f}")
    return 0
