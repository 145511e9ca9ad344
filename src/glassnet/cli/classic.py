"""``glassnet classic``: the course's first classifiers on a real dataset, with accuracy and
timing.

  glassnet classic knn --k 5                    # kNN with k = 5 on Fashion-MNIST
  glassnet classic knn --cv --k 1 3 5 10 20     # choose k by 5-fold cross-validation first
  glassnet classic svm --lr 0.01 --reg 0.001    # linear SVM by minibatch SGD
  glassnet classic softmax --epochs 20          # softmax (multinomial logistic) regression
  glassnet classic random-search --trials 1000  # the random-guess baseline

kNN compares raw pixels scaled to [0, 1]; the linear models see pixels standardized with
the training mean and standard deviation. The test set is used once, for the final score.
"""

import argparse
import sys

from glassnet.cli.arguments import non_negative_float, positive_float, positive_int
from glassnet.train.config import DATASETS

MODELS = ("knn", "svm", "softmax", "random-search")
# The course's candidate k values for cross-validation.
CV_KS = (1, 3, 5, 8, 10, 12, 15, 20, 50, 100)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "classic",
        help="kNN, linear SVM/softmax and random search on a real dataset",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", choices=MODELS, help="which classifier: %(choices)s")
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", choices=DATASETS, default="fashion-mnist",
                      help="dataset: %(choices)s (default %(default)s)")
    data.add_argument("--data-dir", default=None,
                      help="folder holding the dataset files (only this one is searched)")
    data.add_argument("--train-size", type=positive_int, default=None,
                      help="use only the first N training images (default all)")
    data.add_argument("--test-size", type=positive_int, default=None,
                      help="score on only the first N test images (default all)")
    knn = parser.add_argument_group("k-nearest neighbours")
    knn.add_argument("--k", type=positive_int, nargs="+", default=None,
                     help="neighbours that vote (default 1); with --cv, the candidates "
                     f"(default {' '.join(map(str, CV_KS))})")
    knn.add_argument("--metric", choices=("l2", "l1"), default="l2",
                     help="distance: %(choices)s (default %(default)s)")
    knn.add_argument("--cv", action="store_true", help="choose k by cross-validation")
    knn.add_argument("--folds", type=_at_least_two, default=5, help="CV folds (default 5)")
    knn.add_argument("--cv-size", type=positive_int, default=5000,
                     help="training images used for CV (default 5000)")
    linear = parser.add_argument_group("linear classifiers (svm, softmax, random-search)")
    linear.add_argument("--lr", type=positive_float, default=1e-2, help="SGD step (0.01)")
    linear.add_argument("--reg", type=non_negative_float, default=1e-3,
                        help="L2 strength (0.001)")
    linear.add_argument("--epochs", type=positive_int, default=20, help="epochs (20)")
    linear.add_argument("--batch-size", type=positive_int, default=200, help="batch (200)")
    linear.add_argument("--trials", type=positive_int, default=1000,
                        help="random-search guesses (1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from glassnet.errors import GlassnetError

    if args.model != "knn" and (args.cv or args.k):
        return _usage_error(f"--k and --cv apply to knn only, not to {args.model}.")
    if args.model == "knn" and not args.cv and args.k and len(args.k) > 1:
        return _usage_error(
            f"expected one --k without --cv, but got {len(args.k)} values. Add --cv to choose "
            "among them by cross-validation (the test set must not pick k)."
        )
    try:
        data = _load(args)
    except (GlassnetError, OSError) as error:
        print(f"glassnet classic: {error}", file=sys.stderr)
        return 1
    try:
        if args.model == "knn":
            _run_knn(args, *data)
        else:
            _run_linear(args, *data)
    except (GlassnetError, ValueError) as error:  # options the data shows to be invalid
        return _usage_error(str(error))
    return 0


def _load(args):
    """Training and test images and labels, cut to --train-size / --test-size."""
    import time

    from glassnet.data import load_dataset

    start = time.perf_counter()
    X_train, y_train = load_dataset(args.dataset, split="train", root=args.data_dir,
                                    fallback=False)
    X_test, y_test = load_dataset(args.dataset, split="test", root=args.data_dir, fallback=False)
    X_train, y_train = X_train[: args.train_size], y_train[: args.train_size]
    X_test, y_test = X_test[: args.test_size], y_test[: args.test_size]
    print(
        f"{args.dataset}: {len(X_train)} training and {len(X_test)} test images of shape "
        f"{X_train.shape[1:]} ({time.perf_counter() - start:.1f} s to load)"
    )
    return X_train, y_train, X_test, y_test


def _run_knn(args, X_train, y_train, X_test, y_test) -> None:
    import time

    import numpy as np

    from glassnet.classic import KNearestNeighbors, cross_validate_k

    X_train = X_train.astype(np.float32) / 255.0
    X_test = X_test.astype(np.float32) / 255.0
    k = args.k[0] if args.k else 1
    if args.cv:
        ks = args.k or CV_KS
        subset = np.random.default_rng(args.seed).permutation(len(X_train))[: args.cv_size]
        start = time.perf_counter()
        result = cross_validate_k(
            X_train[subset], y_train[subset], ks, args.folds, metric=args.metric,
            generator=np.random.default_rng(args.seed),
        )
        print(f"{args.folds}-fold cross-validation on {len(subset)} training images "
              f"({time.perf_counter() - start:.1f} s):")
        print(result)
        k = result.best_k
    knn = KNearestNeighbors(k, args.metric)
    start = time.perf_counter()
    knn.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    accuracy = knn.score(X_test, y_test)
    predict_seconds = time.perf_counter() - start
    print(f"knn (k={k}, {args.metric}): test accuracy {accuracy:.4f}")
    print(f"time: fit {fit_seconds:.2f} s, predict {predict_seconds:.2f} s for {len(X_test)} "
          f"test against {len(X_train)} training images")


def _run_linear(args, X_train, y_train, X_test, y_test) -> None:
    import time

    import numpy as np

    from glassnet.classic import LinearClassifier, random_search
    from glassnet.data import Standardize

    scaler = Standardize(per="global").fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    generator = np.random.default_rng(args.seed)
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    start = time.perf_counter()
    if args.model == "random-search":
        result = random_search(X_train, y_train, trials=args.trials, num_classes=num_classes,
                               generator=generator)
        model, summary = result.model, f"best training loss {result.best_loss:.4f}"
        description = f"random search ({args.trials} guesses, svm loss)"
    else:
        model = LinearClassifier(
            args.model, lr=args.lr, reg=args.reg, epochs=args.epochs, batch_size=args.batch_size,
            num_classes=num_classes, generator=generator,
        ).fit(X_train, y_train)
        summary = f"final batch loss {model.loss_history[-1]:.4f}"
        description = (
            f"linear {args.model} (lr {args.lr:g}, reg {args.reg:g}, {args.epochs} epochs)"
        )
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    accuracy = model.score(X_test, y_test)
    predict_seconds = time.perf_counter() - start
    print(f"{description}: train accuracy {model.score(X_train, y_train):.4f}, "
          f"test accuracy {accuracy:.4f}, {summary}")
    print(f"time: train {train_seconds:.2f} s, predict {predict_seconds:.3f} s for "
          f"{len(X_test)} test images")


def _usage_error(message: str) -> int:
    print(f"glassnet classic: error: {message}", file=sys.stderr)
    return 2


def _at_least_two(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected at least 2 folds, but got {text}")
    return value
