"""Accuracy and speed of the classic classifiers on Fashion-MNIST (SPEC §6, issue 7).

    uv run python benchmarks/classic.py [--repeats 3] [--cv-size 10000] [--trials 1000]
                                        [--parts knn linear random-search] [--out FILE]

1. kNN: k chosen by 5-fold cross-validation (L2, the course's candidate ks) on a random
   training subset of ``--cv-size`` images; then the full 60,000 training images are
   memorized and the 10,000 test images predicted, timed ``--repeats`` times interleaved with
   scikit-learn's ``KNeighborsClassifier(algorithm="brute")`` when it is installed
   (``uv pip install scikit-learn``; skipped with a note otherwise). L1 with the same k on
   the first ``--l1-test-size`` test images (it has no matrix-multiply shortcut).
2. Linear SVM and softmax by minibatch SGD: lr and reg picked on a 50,000 / 10,000 split
   of the training set, then retrained on all 60,000 and scored once on the test set.
3. The random-search baseline (``--trials`` guesses of W, SVM loss).

kNN sees pixels scaled to [0, 1]; the linear models see pixels standardized with the
training mean and std (../shared/PERF.md). Seed 0 throughout.
"""

import argparse
import json
import statistics
import time

import numpy as np

from glassnet.classic import KNearestNeighbors, LinearClassifier, cross_validate_k, random_search
from glassnet.data import Standardize, load_dataset

CV_KS = (1, 3, 5, 8, 10, 12, 15, 20, 50, 100)
LRS = (3e-3, 1e-2, 3e-2)
REGS = (1e-4, 1e-3, 1e-2)
PARTS = ("knn", "linear", "random-search")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def knn_benchmark(X_train, y_train, X_test, y_test, args) -> dict:
    X_train = X_train.reshape(len(X_train), -1).astype(np.float32) / 255.0
    X_test = X_test.reshape(len(X_test), -1).astype(np.float32) / 255.0
    subset = np.random.default_rng(0).permutation(len(X_train))[: args.cv_size]
    cv, cv_seconds = timed(lambda: cross_validate_k(
        X_train[subset], y_train[subset], CV_KS, 5, generator=np.random.default_rng(0)))
    print(f"kNN 5-fold CV on {len(subset)} training images ({cv_seconds:.1f} s):\n{cv}")
    k = cv.best_k

    knn = KNearestNeighbors(k).fit(X_train, y_train)
    sklearn_model = _sklearn_knn(k, X_train, y_train)
    ours, theirs = [], []
    for _ in range(args.repeats):
        predictions, seconds = timed(lambda: knn.predict(X_test))
        ours.append(seconds)
        if sklearn_model is not None:
            sk_predictions, seconds = timed(lambda: sklearn_model.predict(X_test))
            theirs.append(seconds)
    record = {
        "cv": cv.to_dict(), "cv_seconds": cv_seconds, "k": k,
        "l2_accuracy": float(np.mean(predictions == y_test)),
        "l2_predict_seconds": statistics.median(ours), "l2_predict_seconds_all": ours,
    }
    print(f"kNN k={k} L2: test accuracy {record['l2_accuracy']:.4f}; predict 10,000 against "
          f"60,000: median {record['l2_predict_seconds']:.2f} s over {args.repeats} "
          f"({', '.join(f'{s:.2f}' for s in ours)})")
    if sklearn_model is None:
        print("scikit-learn: not installed, comparison skipped (uv pip install scikit-learn)")
    else:
        record["sklearn_accuracy"] = float(np.mean(sk_predictions == y_test))
        record["sklearn_predict_seconds"] = statistics.median(theirs)
        record["sklearn_predict_seconds_all"] = theirs
        record["same_predictions"] = float(np.mean(sk_predictions == predictions))
        print(f"scikit-learn KNeighborsClassifier(brute) k={k}: test accuracy "
              f"{record['sklearn_accuracy']:.4f}; predict median "
              f"{record['sklearn_predict_seconds']:.2f} s ({', '.join(f'{s:.2f}' for s in theirs)})"
              f"; same prediction on {record['same_predictions']:.2%} of the images")

    n = args.l1_test_size
    l1 = KNearestNeighbors(k, "l1").fit(X_train, y_train)
    l1_predictions, l1_seconds = timed(lambda: l1.predict(X_test[:n]))
    record["l1_accuracy_first_n"] = float(np.mean(l1_predictions == y_test[:n]))
    record["l1_n"], record["l1_predict_seconds"] = n, l1_seconds
    record["l2_accuracy_first_n"] = float(np.mean(predictions[:n] == y_test[:n]))
    print(f"kNN k={k} L1 on the first {n} test images: accuracy "
          f"{record['l1_accuracy_first_n']:.4f} (L2 on the same: "
          f"{record['l2_accuracy_first_n']:.4f}); predict {l1_seconds:.1f} s")
    return record


def _sklearn_knn(k, X_train, y_train):
    try:
        from sklearn.neighbors import KNeighborsClassifier
    except ImportError:
        return None
    return KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X_train, y_train)


def linear_benchmark(loss, X_train, y_train, X_test, y_test) -> dict:
    X_fit, y_fit, X_val, y_val = X_train[:50000], y_train[:50000], X_train[50000:], y_train[50000:]
    results = []
    for lr in LRS:
        for reg in REGS:
            model = LinearClassifier(loss, lr=lr, reg=reg, epochs=20,
                                     generator=np.random.default_rng(0)).fit(X_fit, y_fit)
            results.append({"lr": lr, "reg": reg, "val_accuracy": model.score(X_val, y_val)})
    best = max(results, key=lambda r: r["val_accuracy"])
    model = LinearClassifier(loss, lr=best["lr"], reg=best["reg"], epochs=20,
                             generator=np.random.default_rng(0))
    _, seconds = timed(lambda: model.fit(X_train, y_train))
    record = {"search": results, "lr": best["lr"], "reg": best["reg"],
              "val_accuracy": best["val_accuracy"], "test_accuracy": model.score(X_test, y_test),
              "train_seconds": seconds}
    print(f"linear {loss}: lr {best['lr']:g}, reg {best['reg']:g} (val {best['val_accuracy']:.4f})"
          f" -> test accuracy {record['test_accuracy']:.4f}; 20 epochs on 60,000 in "
          f"{seconds:.1f} s")
    return record


def random_search_benchmark(trials, X_train, y_train, X_test, y_test) -> dict:
    result, seconds = timed(lambda: random_search(X_train, y_train, trials=trials,
                                                  generator=np.random.default_rng(0)))
    record = {"trials": trials, "best_loss": result.best_loss, "seconds": seconds,
              "test_accuracy": result.model.score(X_test, y_test)}
    print(f"random search ({trials} guesses, svm loss): best training loss "
          f"{result.best_loss:.4f}, test accuracy {record['test_accuracy']:.4f} ({seconds:.1f} s)")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cv-size", type=int, default=10000)
    parser.add_argument("--l1-test-size", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS)
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args()
    X_train, y_train = load_dataset("fashion-mnist", split="train")
    X_test, y_test = load_dataset("fashion-mnist", split="test")
    record = {}
    if "knn" in args.parts:
        record["knn"] = knn_benchmark(X_train, y_train, X_test, y_test, args)
    scaler = Standardize(per="global").fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if "linear" in args.parts:
        for loss in ("svm", "softmax"):
            record[loss] = linear_benchmark(loss, X_train, y_train, X_test, y_test)
    if "random-search" in args.parts:
        record["random_search"] = random_search_benchmark(
            args.trials, X_train, y_train, X_test, y_test
        )
    if args.out:
        with open(args.out, "w") as file:
            json.dump(record, file, indent=1)


if __name__ == "__main__":
    main()
