"""Time the data path on the real Fashion-MNIST: reading the files, preprocessing, one epoch.

Run: ``uv run python benchmarks/data_load.py [--root /usr/share/datasets/fashion-mnist]``.
Prints the median of ``--repeat`` runs for each step (the PERF.md reference preprocessing:
pixels standardized with the training mean and std; batch 128; shuffled epoch).
"""

import argparse
import statistics
import time

import numpy as np

from glassnet.data import DataLoader, Standardize, load_dataset


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=None, help="folder with the Fashion-MNIST files")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    def load(split):
        return load_dataset("fashion-mnist", split=split, root=args.root)

    X, y = load("train")
    scaler = Standardize(per="global").fit(X)
    X_std = scaler.transform(X).reshape(len(X), -1)
    generator = np.random.default_rng(0)
    loader = DataLoader((X_std, y), batch_size=128, shuffle=True, generator=generator)

    rows = [
        ("load train (60000x28x28)", lambda: load("train")),
        ("load test (10000x28x28)", lambda: load("test")),
        ("Standardize(global) fit on train", lambda: Standardize(per="global").fit(X)),
        ("Standardize transform train", lambda: scaler.transform(X)),
        ("DataLoader epoch, batch 128, shuffled", lambda: sum(1 for _ in loader)),
    ]
    for name, fn in rows:
        print(f"{name:40s} {median_seconds(fn, args.repeat) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
