"""``glassnet demo``: a two-layer network on the book's spiral, written with glassnet ops.

Everything is visible here: the parameters are plain tensors, the forward pass is three
lines of ops, and the update is vanilla gradient descent on ``.data``. A learning rate so
high that the loss blows up stops the demo with the same advice ``glassnet train`` gives.
"""

import argparse

from glassnet.cli.arguments import non_negative_float, positive_float, positive_int


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="train a small two-layer network on spiral data in a few seconds",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--hidden", type=positive_int, default=200, help="hidden units (200)")
    parser.add_argument("--steps", type=positive_int, default=5000, help="GD steps (5000)")
    parser.add_argument("--lr", type=positive_float, default=1.0, help="learning rate (1.0)")
    parser.add_argument("--reg", type=non_negative_float, default=0.0, help="L2 strength (0)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.set_defaults(run=run)


def run(args) -> int:
    import sys

    import numpy as np

    import glassnet as gn
    from glassnet.data import spiral
    from glassnet.train.callbacks import divergence

    gn.manual_seed(args.seed)
    X_data, y = spiral(100, 3)
    X = gn.as_tensor(X_data)
    W1 = gn.tensor(gn.randn(2, args.hidden).data, requires_grad=True)
    b1 = gn.zeros(args.hidden, requires_grad=True)
    W2 = gn.tensor(0.01 * gn.randn(args.hidden, 3).data, requires_grad=True)
    b2 = gn.zeros(3, requires_grad=True)
    params = [W1, b1, W2, b2]
    print(f"spiral: {len(y)} points, 3 classes; network 2-{args.hidden}-3, lr {args.lr}")

    initial_loss = None
    for step in range(args.steps + 1):
        # NOTE: a diverging run overflows; the check below says so once, in words, instead
        # of NumPy warning at every step.
        with np.errstate(all="ignore"):
            scores = (X @ W1 + b1).relu() @ W2 + b2
            log_probs = scores - scores.logsumexp(axis=1, keepdims=True)
            data_loss = -log_probs[range(len(y)), y].mean()
            loss = data_loss + 0.5 * args.reg * ((W1 * W1).sum() + (W2 * W2).sum())
        initial_loss = loss.item() if initial_loss is None else initial_loss
        reason = divergence(loss.item(), initial_loss, step)
        if reason is not None:
            print(f"glassnet demo: {reason}", file=sys.stderr)
            return 1
        for p in params:
            p.grad = None
        with np.errstate(all="ignore"):  # an overflow here shows as a NaN loss next step
            loss.backward()
            for p in params:
                p.data -= args.lr * p.grad
        if step % (args.steps // 10 or 1) == 0:
            accuracy = (scores.data.argmax(axis=1) == y).mean()
            print(f"step {step:5d}: loss {loss.item():.4f}, train accuracy {accuracy:.3f}")
    return 0

