"""The doctor's figures for the README, and the lecture's numbers printed.

1. The lecture's 10-layer experiment (500 units, no biases, inputs N(0, 1)) for tanh and
   ReLU with weights 0.01·N(0,1), 1.0·N(0,1), Xavier and He: the std of every layer's
   activations printed as a table, and one figure per activation.
2. The learning-rate range test on a Fashion-MNIST slice (MLP 784-256-128-10, SGD with
   momentum 0.9, 100 steps of 128) as a figure, with its suggestion.

    uv run python benchmarks/diagnose_figures.py --out docs/diagnose
"""

import argparse
from pathlib import Path

import numpy as np

from glassnet import models, nn, optim
from glassnet.data import load_dataset
from glassnet.diagnose import init_experiment, lr_find
from glassnet.plot.diagnose import layer_statistics_figure, lr_find_figure

INITS = ("0.01", "1.0", "xavier", "he")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/diagnose"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for activation in ("tanh", "relu"):
        results = {init: init_experiment(activation, init) for init in INITS}
        print(f"\n{activation}: std of each layer's activations (layers 1 to 10)")
        print("| init | " + " | ".join(str(i) for i in range(1, 11)) + " |")
        print("|---" * 11 + "|")
        for init, stats in results.items():
            print(f"| {init} | " + " | ".join(f"{layer['std']:.2g}" for layer in stats) + " |")
        layer_statistics_figure(
            results, title=f"10-layer {activation} network, 500 units per layer, inputs "
                           "N(0, 1): activations per layer for four initializations",
            path=args.out / f"layers_{activation}.png")
    X, y = load_dataset("fashion-mnist", split="train")
    X = ((X[:12800] - X.mean()) / X.std()).astype(np.float32).reshape(-1, 784)
    model = models.mlp(784, [256, 128], 10, generator=np.random.default_rng(0))
    result = lr_find(model, nn.CrossEntropyLoss(), (X, y[:12800]),
                     optimizer=optim.SGD(model.parameters(), lr=0.01, momentum=0.9),
                     steps=100, batch_size=128)
    print("\n" + result.describe())
    lr_find_figure(result, args.out / "lr_find.png")
    print(f"figures in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
